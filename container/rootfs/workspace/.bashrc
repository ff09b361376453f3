# /workspace/.bashrc: the interactive shell of the sandbox (environment, aliases, dotfiles, history,
# prompt) and, on the console only, the auto-launch of the agent that `bin/ai` asked for.
case $- in *i*) ;; *) return ;; esac
__aisandbox_bashrc=1
[ -r /workspace/.bash_profile ] && . /workspace/.bash_profile

export BUNDLE_PATH=/bundle
export BUNDLE_DEFAULT_CLI_COMMAND=install
export BUNDLE_IGNORE_FUNDING_REQUESTS=1
export BUNDLE_IGNORE_MESSAGES=1
export BUNDLE_SILENCE_ROOT_WARNING=1
# The agents run every tool without asking; they accept that as root only inside a sandbox.
export IS_SANDBOX=1
export DISABLE_NON_ESSENTIAL_MODEL_CALLS=1
export CLAUDE_CODE_ENABLE_AWAY_SUMMARY=0
export DISABLE_AUTOUPDATER=1
export COPILOT_AUTO_UPDATE=false

# History survives the container: /commandhistory is mounted from the host, and every command is
# appended as soon as it ran, so parallel sandboxes do not overwrite each other's history.
export HISTFILE=/commandhistory/.bash_history
HISTSIZE=100000
HISTFILESIZE=200000
HISTCONTROL=ignoredups
# A secret typed on a command line never reaches the host's history file: the baseline's
# `c --apikey KEY` (refused now, but typed out of habit) and `export ANTHROPIC_API_KEY=...`.
HISTIGNORE='*--apikey[ =][!-]*:*ANTHROPIC_API_KEY=*'
shopt -s histappend checkwinsize
case ";${PROMPT_COMMAND:-};" in *";history -a;"*) ;; *) PROMPT_COMMAND="history -a${PROMPT_COMMAND:+;$PROMPT_COMMAND}" ;; esac

ulimit -n 10480 2>/dev/null || true

alias lsa='ls -lah'
alias ls='ls --color=auto'
alias b=bundle
alias l=claude-login

# Dotfiles from the host: every entry of /settings/dotfiles except the shell's own start-up files
# becomes a symlink in $HOME. A real directory already in $HOME is kept; an old symlink is replaced
# without being followed.
if [ -d /settings/dotfiles ]; then
  for __f in /settings/dotfiles/* /settings/dotfiles/.*; do
    [ -e "$__f" ] || [ -L "$__f" ] || continue
    __n=${__f##*/}
    case $__n in .|..|.bashrc|.bash_profile) continue ;; esac
    if [ -d "$HOME/$__n" ] && [ ! -L "$HOME/$__n" ]; then continue; fi
    ln -sfn "$__f" "$HOME/$__n"
  done
  unset __f __n
  [ -r /settings/dotfiles/.bashrc ] && . /settings/dotfiles/.bashrc
fi

# Prompt: green host, blue directory, yellow git state (branch, * when dirty, ↑ahead ↓behind).
__aisandbox_git() {
  local branch dirty counts ahead behind
  branch=$(git symbolic-ref --short -q HEAD 2>/dev/null || git rev-parse --short HEAD 2>/dev/null) || return 0
  [ -n "$branch" ] || return 0
  git diff --quiet --ignore-submodules HEAD -- 2>/dev/null || dirty='*'
  counts=$(git rev-list --left-right --count '@{upstream}...HEAD' 2>/dev/null) || counts=
  if [ -n "$counts" ]; then
    behind=${counts%%[[:space:]]*}; ahead=${counts##*[[:space:]]}
    [ "$ahead" = 0 ] && ahead= || ahead="↑$ahead"
    [ "$behind" = 0 ] && behind= || behind="↓$behind"
  fi
  printf ' (%s%s%s%s)' "$branch" "${dirty:-}" "${ahead:-}" "${behind:-}"
}
__aisandbox_title=
case ${TERM:-} in xterm*|screen*|tmux*|alacritty*|wezterm*) __aisandbox_title='\[\e]0;\h:\w\a\]' ;; esac
PS1="${__aisandbox_title}"'\[\e[32m\]\h\[\e[0m\]:\[\e[34m\]\w\[\e[33m\]$(__aisandbox_git)\[\e[0m\]\$ '
unset __aisandbox_title

# Auto-launch, last. Only the console shell launches (its terminal is /dev/console, or AI_AUTO_LAUNCH=1
# says so): a `podman exec` shell never does. The request is read once and unset before anything runs,
# so a nested shell, or this one after the agent exits, does not launch again.
__aisandbox_autolaunch() {
  local claude_profile=${CLAUDE_PROFILE:-} claude_resume=${CLAUDE_RESUME:-} claude_auto=${CLAUDE_AUTO_START:-}
  local codex_auto=${CODEX_AUTO_START:-} codex_profile=${CODEX_PROFILE:-} codex_resume=${CODEX_RESUME:-}
  local copilot_auto=${COPILOT_AUTO_START:-} copilot_profile=${COPILOT_PROFILE:-} copilot_resume=${COPILOT_RESUME:-}
  local forced=${AI_AUTO_LAUNCH:-} console here
  unset CLAUDE_PROFILE CLAUDE_RESUME CLAUDE_AUTO_START CODEX_AUTO_START CODEX_PROFILE CODEX_RESUME AI_AUTO_LAUNCH
  unset COPILOT_AUTO_START COPILOT_PROFILE COPILOT_RESUME
  [ -n "$claude_profile$claude_resume$claude_auto$codex_auto$codex_profile$codex_resume$copilot_auto$copilot_profile$copilot_resume" ] || return 0
  if [ "$forced" != 1 ]; then
    here=$(tty 2>/dev/null) || return 0
    console=$(readlink -f /dev/console 2>/dev/null || echo /dev/console)
    [ "$here" = /dev/console ] || [ "$here" = "$console" ] || return 0
  fi
  local args=()
  if [ -n "$copilot_auto$copilot_profile$copilot_resume" ]; then
    [ -n "$copilot_profile" ] && args+=("$copilot_profile")
    [ -n "$copilot_resume" ] && args+=(--resume "$copilot_resume")
    co "${args[@]}"
  elif [ -n "$codex_auto$codex_profile$codex_resume" ]; then
    [ -n "$codex_profile" ] && args+=("$codex_profile")
    [ -n "$codex_resume" ] && args+=(--resume "$codex_resume")
    cx "${args[@]}"
  else
    [ -n "$claude_profile" ] && args+=("$claude_profile")
    [ -n "$claude_resume" ] && args+=(--resume "$claude_resume")
    c "${args[@]}"
  fi
}
__aisandbox_autolaunch
unset -f __aisandbox_autolaunch
