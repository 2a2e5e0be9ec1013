# Reads a GNU ld map file (-Wl,-Map) and prints the code bytes (.text, .rodata, ARM unwind
# tables) the link kept, by where they came from: "engine libgcc libc other" on one line.
# Input sections whose name is long sit alone on a line, their address and size on the next.
function hex(s,   v, i) {
    v = 0
    for (i = 3; i <= length(s); i++)
        v = v * 16 + index("0123456789abcdef", tolower(substr(s, i, 1))) - 1
    return v
}
function count(section, size, file) {
    if (section !~ /^\.(text|rodata|ARM\.ex)/) return
    if (file ~ /libgcc\.a/) libgcc += hex(size)
    else if (file ~ /libc(_nano)?\.a/) libc += hex(size)
    else if (file ~ /libnbs/) engine += hex(size)
    else other += hex(size)
}
/^Linker script and memory map/ { kept = 1; next }
!kept { next }
/^ \.[^ ]+$/ { alone = $1; next }
alone != "" && $1 ~ /^0x/ && $2 ~ /^0x/ && NF >= 3 { count(alone, $2, $3); alone = ""; next }
{ alone = "" }
/^ \./ && $2 ~ /^0x/ && $3 ~ /^0x/ && NF >= 4 { count($1, $3, $4) }
END { printf "%d %d %d %d\n", engine, libgcc, libc, other }
