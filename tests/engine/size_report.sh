#!/bin/sh
# `make size` reads the firmware's link map with engine/cmake/firmware-sizes.awk: a map written
# here by hand must come out as the code bytes of each origin (engine, libgcc, libc, other),
# counting sections whose name stands alone on its line, and nothing discarded, no data and no
# debug sections. Usage: size_report.sh PATH/TO/firmware-sizes.awk
set -u
awk_file=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/fw.map" <<'MAP'
Discarded input sections

 .text.unused   0x00000000       0x40 libnbs_nocache.a(nbs_map.c.obj)

Linker script and memory map

LOAD libnbs_nocache.a
.text           0x00008000      0x1f0
 .text.nbs_map_store
                0x00008000       0x62 libnbs_nocache.a(nbs_map.c.obj)
 .text          0x00008062       0x10 libnbs_nocache.a(nbs_crc.c.obj)
 .rodata.crc_nibble
                0x00008080       0x40 libnbs_nocache.a(nbs_crc.c.obj)
 .text          0x000080c0       0xa0 /usr/lib/gcc/arm-none-eabi/12/libgcc.a(_aeabi_ldivmod.o)
 .text          0x00008160       0x60 /usr/lib/arm-none-eabi/lib/libc.a(lib_a-memcmp.o)
 .text.size_firmware_entry
                0x000081c0       0x20 CMakeFiles/size_firmware.dir/size_firmware.c.obj
 .ARM.exidx     0x000081e0        0x8 /usr/lib/gcc/arm-none-eabi/12/libgcc.a(_udivmoddi4.o)
 .data          0x20000000        0x4 libnbs_nocache.a(nbs_io.c.obj)
 .debug_info    0x00000000      0x100 libnbs_nocache.a(nbs_io.c.obj)
MAP

# engine 0x62 + 0x10 + 0x40, libgcc 0xa0 + 0x8, libc 0x60, other (the stub) 0x20
want="178 168 96 32"
got=$(awk -f "$awk_file" "$tmp/fw.map")
[ "$got" = "$want" ] || { echo "size_report: got '$got', want '$want' (engine libgcc libc other)" >&2; exit 1; }

# A map with no memory map section counts nothing (size-report.sh then fails).
got=$(awk -f "$awk_file" /dev/null)
[ "$got" = "0 0 0 0" ] || { echo "size_report: empty map gave '$got'" >&2; exit 1; }
echo "size_report: ok"
