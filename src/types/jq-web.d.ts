// jq-web: jq 1.7 compiled to WebAssembly. The module is a promise of the loaded runtime.
declare module 'jq-web' {
  interface Jq {
    /** jq's stdout for this input and filter (its last newline removed; undefined when empty). Throws with `stderr` on a jq error. */
    raw(json: string, filter: string, flags?: string[]): string | undefined;
  }
  const jq: Promise<Jq>;
  export default jq;
}
