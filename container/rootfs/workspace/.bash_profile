# /workspace/.bash_profile: the sandbox's environment for login shells; /workspace/.bashrc sources it
# too, so every interactive shell gets the same PATH. It only sets variables: it never changes HOME.
export GOPATH=${GOPATH:-/workspace/go}
case ":$PATH:" in *:/usr/local/bin:*) ;; *) PATH=/usr/local/bin:$PATH ;; esac
case ":$PATH:" in *:/workspace/.local/bin:*) ;; *) PATH=/workspace/.local/bin:$GOPATH/bin:$PATH ;; esac
export PATH
# puppeteer drives the system Chromium and never downloads one; node finds the global packages.
export PUPPETEER_SKIP_DOWNLOAD=1 PUPPETEER_EXECUTABLE_PATH=/usr/bin/chromium NODE_PATH=/usr/local/lib/node_modules
# The official Node.js build trusts the system's CA certificates too (a TLS-inspecting proxy's, say).
export NODE_EXTRA_CA_CERTS=${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}

# A login shell that is interactive (podman exec … bash -l) reads only this file: give it the rest.
if [[ $- == *i* ]] && [ -z "${__aisandbox_bashrc:-}" ] && [ -r /workspace/.bashrc ]; then
  . /workspace/.bashrc
fi
