import { z } from "zod";

/**
 * Code points that show nothing by themselves: whitespace, control and format characters (zero-width
 * space/joiners, bidi marks, BOM, tags), every default-ignorable code point (Hangul fillers U+115F,
 * U+1160, U+3164, U+FFA0, variation selectors, soft hyphen…), combining marks without a base, lone
 * surrogates and the braille blank U+2800.
 */
const INVISIBLE = /^[\p{White_Space}\p{Cc}\p{Cf}\p{Cs}\p{M}\p{Default_Ignorable_Code_Point}\u2800]$/u;
/** Characters a one-line name never holds: control characters and line/paragraph separators. */
const LINE_BREAKING = /[\p{Cc}\u2028\u2029]/u;
const LONE_SURROGATE = /\p{Cs}/u;

/** Length in Unicode code points (what a user counts as characters; emoji count once). */
export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** True when at least one code point of `s` would draw something on screen. */
export function hasVisibleChar(s: string): boolean {
  for (const ch of s) if (!INVISIBLE.test(ch)) return true;
  return false;
}

/** True when `s` holds a lone UTF-16 surrogate (not valid Unicode; PostgreSQL cannot store it). */
export function hasLoneSurrogate(s: string): boolean {
  // With the `u` flag a proper pair is one astral code point; only unpaired halves match \p{Cs}.
  return LONE_SURROGATE.test(s);
}

/**
 * A user-written text (prompt, nickname, project or work title): trimmed, `min`–`max` characters
 * counted in code points, and at least one visible character, so "   ", "\u200b" or the Hangul filler
 * "\u3164" are refused as empty. `singleLine` also refuses control characters and line breaks.
 */
export function visibleText(min: number, max: number, opts: { singleLine?: boolean } = {}) {
  return z
    .string()
    .trim()
    .superRefine((s, ctx) => {
      const length = codePointLength(s);
      if (length === 0 || !hasVisibleChar(s)) {
        ctx.addIssue({ code: "custom", message: "must contain a visible character", input: s });
      } else if (length < min) {
        ctx.addIssue({ code: "custom", message: `at least ${min} characters`, input: s });
      } else if (length > max) {
        ctx.addIssue({ code: "custom", message: `longer than ${max} characters`, input: s });
      } else if (hasLoneSurrogate(s)) {
        ctx.addIssue({ code: "custom", message: "not valid Unicode text", input: s });
      } else if (opts.singleLine && LINE_BREAKING.test(s)) {
        ctx.addIssue({ code: "custom", message: "must be one line without control characters", input: s });
      }
    })
    .meta({ minLength: min, maxLength: max });
}
