// Spoken prompts for the kiosk's elderly mode and the display fallback when the agent has no
// espeak-ng. speechSynthesis may be missing (some kiosk browsers); then this is a no-op.
export function canSpeak(): boolean {
  return typeof window !== 'undefined' && 'speechSynthesis' in window;
}

export function speak(text: string, lang: 'zh' | 'en' = 'zh'): void {
  if (!canSpeak()) return;
  try {
    window.speechSynthesis.cancel();
    const u = new SpeechSynthesisUtterance(text);
    u.lang = lang === 'zh' ? 'zh-CN' : 'en-US';
    u.rate = 0.85; // slower for elderly listeners
    window.speechSynthesis.speak(u);
  } catch {
    /* no voice installed: prompts stay on screen */
  }
}

/** "A023" → "A 零 二 三": the hall reads numbers digit by digit */
export function spellNumber(num: string): string {
  const d = '零一二三四五六七八九';
  return [...num].map((c) => (c >= '0' && c <= '9' ? d[Number(c)] : c)).join(' ');
}
