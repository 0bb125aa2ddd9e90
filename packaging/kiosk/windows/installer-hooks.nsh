; The NSIS installer's hooks (tauri.windows.conf.json, bundle.windows.nsis.installerHooks).
; The kiosk starts at every logon through its supervisor (`--supervise`, src-tauri/src/supervise.rs),
; which starts it again after a crash. The installer is per machine, so SHCTX is HKLM: every
; user of the computer gets the kiosk (docs/kiosk-install.md).

!macro NSIS_HOOK_POSTINSTALL
  WriteRegStr SHCTX "Software\Microsoft\Windows\CurrentVersion\Run" "BadgeIn" '"$INSTDIR\badgein-kiosk.exe" --supervise'
!macroend

!macro NSIS_HOOK_PREUNINSTALL
  DeleteRegValue SHCTX "Software\Microsoft\Windows\CurrentVersion\Run" "BadgeIn"
!macroend
