// Kept while callers move to src/text, where the definition lives.
export { hasUnsafeChars, inlineText, multilineText, textOf } from '../text';
