// The scripts `b0s completion bash|zsh|fish` prints. Each hands the words before the
// cursor to `b0s __complete`, which answers one candidate per line (`word<TAB>what it
// is`), or `:files` for a file name.
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

const BASH = `# b0s completion for bash. Load it with:  source <(b0s completion bash)
# or save it:  b0s completion bash > ~/.local/share/bash-completion/completions/b0s
_b0s_complete() {
  local line="\${COMP_LINE:0:COMP_POINT}"
  local -a words
  read -ra words <<< "$line"
  [[ "$line" =~ [[:space:]]$ ]] && words+=("")
  local IFS=$'\\n'
  local out
  out="$(command b0s __complete -- "\${words[@]:1}" 2>/dev/null)" || return 0
  if [[ "$out" == ":files" ]]; then
    COMPREPLY=($(compgen -f -- "\${words[\${#words[@]}-1]}"))
    return 0
  fi
  COMPREPLY=($(printf '%s\\n' "$out" | cut -f1))
}
complete -F _b0s_complete b0s
`;

const ZSH = `#compdef b0s
# b0s completion for zsh. Load it with:  source <(b0s completion zsh)   (after compinit)
# or save it as _b0s in a folder of your $fpath.
_b0s() {
  local out
  out="$(command b0s __complete -- "\${(@)words[2,CURRENT]}" 2>/dev/null)" || return 1
  if [[ "$out" == ":files" ]]; then
    _files
    return
  fi
  local -a described
  local line word
  for line in "\${(@f)out}"; do
    [[ -z "$line" ]] && continue
    word="\${line%%$'\\t'*}"
    if [[ "$line" == *$'\\t'* ]]; then
      described+=("\${word//:/\\\\:}:\${line#*$'\\t'}")
    else
      described+=("\${word//:/\\\\:}")
    fi
  done
  _describe -t values 'b0s' described
}
if (( $+functions[compdef] )); then
  compdef _b0s b0s
fi
`;

const FISH = `# b0s completion for fish. Load it with:  b0s completion fish | source
# or save it:  b0s completion fish > ~/.config/fish/completions/b0s.fish
function __b0s_complete
    set -l tokens (commandline -opc) (commandline -ct)
    set -e tokens[1]
    set -l out (command b0s __complete -- $tokens 2>/dev/null)
    if test "$out" = ":files"
        __fish_complete_path (commandline -ct)
        return
    end
    printf '%s\\n' $out
end
complete -c b0s -f -a '(__b0s_complete)'
`;

export function completionScript(shell: Shell): string {
  return { bash: BASH, zsh: ZSH, fish: FISH }[shell];
}
