/** Small, deterministic text helpers shared by the engines. No I/O. */

/** Splits text into sentences on . ! ? followed by space or end. */
export function sentences(text: string): string[] {
  return text
    .replace(/\s+/g, ' ')
    .split(/(?<=[.!?])\s+(?=[A-Z0-9"'])/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9']+/g) ?? [];
}

export const STOPWORDS = new Set(
  ('a an and are as at be been but by can could did do does for from had has have he her hi hello his i ' +
    "i'm im is it it's its just like me my no not of oh ok okay on or our so that the their them then there " +
    'they this to too uh um us was we were what when which who will with would yeah yes you your').split(' '),
);
