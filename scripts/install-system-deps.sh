#!/usr/bin/env bash
# System packages the platform needs and pip cannot provide:
#   fonts-noto-cjk  Chinese glyphs in WeasyPrint PDFs (certificates, the standard)
#   chromium        the browser Playwright drives in the browser tests
#   poppler-utils   pdffonts/pdftotext, used by tests to read generated PDFs
#   gettext         compiling translations
#   redis-server    private Redis servers the Redis-outage tests and bench/fault_redis.py start
# Installs what is missing with apt-get when it can; otherwise says what to install.
set -u
missing=()
fc-list 2>/dev/null | grep -qi "Noto Sans CJK\|Noto Serif CJK" || missing+=(fonts-noto-cjk)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v pdffonts >/dev/null 2>&1 || missing+=(poppler-utils)
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing system packages: ${missing[*]}"
sudo_cmd=""
[ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
if command -v apt-get >/dev/null 2>&1 && { [ -z "$sudo_cmd" ] || sudo -n true 2>/dev/null; }; then
  if $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/tmp/ccso-apt.log 2>&1 \
     || { $sudo_cmd apt-get update -qq >>/tmp/ccso-apt.log 2>&1 \
          && $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >>/tmp/ccso-apt.log 2>&1; }; then
    echo "Installed: ${missing[*]}"
    exit 0
  fi
  echo "ERROR: apt-get could not install ${missing[*]} (log: /tmp/ccso-apt.log)." >&2
else
  echo "ERROR: cannot install ${missing[*]} automatically (no apt-get or no root)." >&2
fi
echo "Install them with your system's package manager. Without a CJK font, PDFs show empty boxes" >&2
echo "instead of Chinese; without chromium, the browser tests cannot run." >&2
exit 1
