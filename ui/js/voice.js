// Says a sentence aloud with the platform's speech synthesis when there is one; silent when
// there is none or when the teacher turned sounds off.
import { soundsEnabled } from './sound.js';

const LOCALES = Object.freeze({ en: 'en-US', es: 'es-ES' });

export function speak(text, language) {
  const synth = window.speechSynthesis;
  if (!soundsEnabled() || !synth || typeof window.SpeechSynthesisUtterance !== 'function') return;
  try {
    synth.cancel();
    const utterance = new window.SpeechSynthesisUtterance(text);
    utterance.lang = LOCALES[language] ?? LOCALES.en;
    const voice = synth.getVoices().find((v) => v.lang?.toLowerCase().startsWith(language));
    if (voice) utterance.voice = voice;
    synth.speak(utterance);
  } catch {
    // Speech is a bonus on top of the picture and the sentence.
  }
}
