# SPDX-License-Identifier: Apache-2.0
# bash completion for scboot(1) and scboot-vcard(1).
# Subcommand options are read from `scboot COMMAND --help`, so they follow the installed binary;
# the common options and option values are listed here (--json only where a command's --help
# offers it: watch and bootstrap refuse it).

_scboot_commands="readers apdu dump decode encode check apply watch status bootstrap help"
_scboot_common="-r --reader -v --verbose --trace --show-secrets --help
    --scp03-keys --secure-channel --scp03-level"

_scboot()
{
    local cur prev words cword
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion -n := || return
    else
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi

    local cmd="" i
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
        -*) ;;
        *)
            case " $_scboot_commands " in
            *" ${words[i]} "*) cmd=${words[i]}; break ;;
            esac
            ;;
        esac
    done

    # values of options
    case $prev in
    -r | --reader)
        if [[ $cur == virtual:* ]]; then
            local IFS=$'\n' f
            COMPREPLY=()
            for f in $(compgen -f -- "${cur#virtual:}"); do
                [[ -d $f ]] && f="$f/"
                COMPREPLY+=("virtual:$f")
            done
            compopt -o nospace 2>/dev/null
        else
            COMPREPLY=($(compgen -W "virtual:" -- "$cur"))
            compopt -o nospace 2>/dev/null
        fi
        return
        ;;
    --secure-channel) COMPREPLY=($(compgen -W "required preferred off" -- "$cur")); return ;;
    --scp03-level) COMPREPLY=($(compgen -W "01 03 13 33" -- "$cur")); return ;;
    --source) COMPREPLY=($(compgen -W "card factory network" -- "$cur")); return ;;
    --verify) COMPREPLY=($(compgen -W "on-event always every=" -- "$cur")); return ;;
    --from | --export) COMPREPLY=($(compgen -W "leshan wakaama" -- "$cur")); return ;;
    --state-dir) COMPREPLY=($(compgen -d -- "$cur")); return ;;
    --trace | --pin-file | --scp03-keys | --factory | --profile | --config | --psk-key-file | \
        -o | --output | --exec)
        COMPREPLY=($(compgen -f -- "$cur"))
        return
        ;;
    --raw)
        if [[ $cmd == dump ]]; then
            COMPREPLY=($(compgen -f -- "$cur"))
            return
        fi
        ;;
    --pin | --aid | --file-id | --pad | --endpoint | --server | --listen | --exec-timeout | \
        --exchange-lifetime | --psk-identity | --pct | --attempts | --backoff | --ack-timeout | \
        --max-retransmit)
        return
        ;;
    esac

    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "--help --version -V" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$_scboot_commands" -- "$cur"))
        fi
        return
    fi
    if [[ $cmd == help ]]; then
        COMPREPLY=($(compgen -W "${_scboot_commands% help}" -- "$cur"))
        return
    fi
    if [[ $cur == -* ]]; then
        local own
        own=$("${words[0]}" "$cmd" --help 2>&1 | grep -o -- '--[a-z0-9][a-z0-9-]*' | sort -u)
        COMPREPLY=($(compgen -W "$own $_scboot_common" -- "$cur"))
        return
    fi
    case $cmd in
    decode | encode | check) COMPREPLY=($(compgen -f -- "$cur")) ;;
    esac
}

_scboot_vcard()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    case $prev in
    -p | --profile) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    -H | --host | -P | --port | -n | --remove-after) return ;;
    esac
    COMPREPLY=($(compgen -W "-p --profile -H --host -P --port -n --remove-after -v --verbose -h --help" -- "$cur"))
}

complete -F _scboot scboot
complete -F _scboot_vcard scboot-vcard
