# need COMMAND PACKAGE...: when COMMAND is missing, installs the Debian PACKAGEs with apt-get (as
# root; otherwise says what to install and exits). Sourced by tools/test and tools/test-arm64.
need() {
    command -v "$1" >/dev/null 2>&1 && return 0
    what=$1
    shift
    install_packages "$what" "$@"
}

# need_file FILE PACKAGE...: the same for a file that is not a command (a library, a PKCS#11 module);
# FILE may be a shell pattern (/usr/lib/*/libtpm2_pkcs11.so.1)
need_file() {
    pattern=$1
    shift
    for f in $pattern; do
        [ -e "$f" ] && return 0
    done
    install_packages "$pattern" "$@"
}

# install_packages WHAT PACKAGE...: apt-get install, once more after an update when the lists are stale
install_packages() {
    what=$1
    shift
    if [ "$(id -u)" -ne 0 ]; then
        echo "tools/$(basename "$0"): '$what' is missing; install: apt-get install $*" >&2
        exit 1
    fi
    echo "tools/$(basename "$0"): installing $* (for $what)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null 2>&1 || {
        apt-get update -q >/dev/null 2>&1
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null
    }
}
