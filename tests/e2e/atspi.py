#!/usr/bin/env python3
"""What a screen reader sees of the kiosk: its accessibility tree and events through AT-SPI
(the interface Orca reads on Linux), as JSON for tests/e2e/accessibility.test.mjs.

  atspi.py tree PID    the tree of the application whose process is PID: one JSON object
  atspi.py watch PID   one JSON line per event from that application (announcements, text
                       inserted in live regions, focus), after a first line {"ready": true}

Read-only: it never acts on the application.
"""

import json
import sys

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402

MAX_NODES = 5000
MAX_DEPTH = 80


def application(pid):
    desktop = Atspi.get_desktop(0)
    for i in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(i)
        if app is not None and app.get_process_id() == pid:
            return app
    return None


def attributes(node):
    try:
        return dict(node.get_attributes() or {})
    except Exception:  # noqa: BLE001 - an object may vanish while it is read
        return {}


def describe(node):
    try:
        states = node.get_state_set().get_states()
        state_names = sorted(Atspi.StateType(s).value_nick for s in states)
    except Exception:  # noqa: BLE001
        state_names = []
    out = {
        "role": node.get_role_name(),
        "name": node.get_name() or "",
        "description": node.get_description() or "",
        "states": state_names,
    }
    attrs = attributes(node)
    for key in ("container-live", "live", "tag", "id", "level"):
        if key in attrs:
            out[key] = attrs[key]
    return out


def text_of(node):
    """The words of `node` and its descendants, as a screen reader reads them."""
    try:
        words = Atspi.Text.get_text(node, 0, -1) if node.get_text_iface() else ""
    except Exception:  # noqa: BLE001
        words = ""
    return (words or node.get_name() or "").replace("\ufffc", "").strip()


def tree(node, depth=0, budget=None):
    budget = budget if budget is not None else [MAX_NODES]
    budget[0] -= 1
    out = describe(node)
    if depth < MAX_DEPTH and budget[0] > 0:
        children = []
        try:
            count = node.get_child_count()
        except Exception:  # noqa: BLE001
            count = 0
        for i in range(count):
            try:
                child = node.get_child_at_index(i)
            except Exception:  # noqa: BLE001
                child = None
            if child is not None and budget[0] > 0:
                children.append(tree(child, depth + 1, budget))
        if children:
            out["children"] = children
    return out


def watch(pid):
    def on_event(event):
        source = event.source
        try:
            if source is None or source.get_process_id() not in pids(pid):
                return
        except Exception:  # noqa: BLE001
            return
        line = {"type": event.type, "detail1": event.detail1, "source": describe(source)}
        if isinstance(event.any_data, str):
            line["text"] = event.any_data
        elif isinstance(event.any_data, Atspi.Accessible):
            # children-changed: the child added, and the words in it (what Orca reads of a
            # live region's new content).
            line["child"] = describe(event.any_data)
            line["text"] = text_of(event.any_data)
        print(json.dumps(line), flush=True)

    listener = Atspi.EventListener.new(on_event)
    for kind in ("object:announcement", "object:text-changed:insert", "object:state-changed:focused",
                 "object:children-changed:add"):
        listener.register(kind)
    print(json.dumps({"ready": True}), flush=True)
    Atspi.event_main()


def pids(pid):
    """The app and the WebKit processes it started (its web content lives in one of them)."""
    found = {pid}
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            found.update(int(p) for p in f.read().split())
    except OSError:
        pass
    return found


def main(argv):
    if len(argv) != 3 or argv[1] not in ("tree", "watch"):
        print(__doc__, file=sys.stderr)
        return 2
    pid = int(argv[2])
    if argv[1] == "watch":
        watch(pid)
        return 0
    app = application(pid)
    if app is None:
        print(json.dumps({"error": f"no application with process {pid} on the AT-SPI bus"}))
        return 1
    print(json.dumps(tree(app)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
