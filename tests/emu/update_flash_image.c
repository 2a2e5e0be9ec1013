/* update_flash_image: the flash image of the nrf52840 firmware update example (docs/update.md,
 * emu/firmware/nrf52840/update_layout.h) for `norbench emu bootloader-nrf52840.elf --image`.
 * The primary slot gets an installed image, as a factory programmer writes it (its 32-byte
 * header of engine/SPEC.md 11.2, then the ELF's flash bytes from the slot's vector table on);
 * the secondary gets an update sent through the engine's own calls (nbs_update_open, write,
 * complete: the state PENDING), so that the next boot installs it. --corrupt-secondary then
 * inverts a bit of the secondary (an image damaged after it was sent) for the bootloader's CRC
 * check to find. Every bad argument or file gets one message and exit 2. */
#include "emu_elf.h"
#include "nbs_nor.h"
#include "nbs_update.h"
#include "nor.h"
#include "update_layout.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_USAGE 2

static const char usage[] =
    "usage: update_flash_image --out IMAGE --primary ELF@VERSION [--secondary ELF@VERSION]\n"
    "                          [--corrupt-secondary OFFSET]\n"
    "  The nrf52840 flash of the firmware update example (docs/update.md): the primary slot\n"
    "  holds the image of ELF (linked with update_app.ld) behind its header with VERSION\n"
    "  (MAJOR.MINOR.REVISION); --secondary sends a second image through nbs_update_open, write\n"
    "  and complete, so that the next boot installs it; --corrupt-secondary inverts bit 0 of the\n"
    "  secondary slot's byte at OFFSET afterwards (a damaged image). IMAGE and IMAGE.json are\n"
    "  written (nor_image_save's format, what `norbench emu --image` reads).\n";

/* An image: header and body, as it lies in a slot. */
typedef struct slot_image {
    uint8_t bytes[UPDATE_SLOT_SIZE];
    uint32_t length; /* header included */
    nbs_image_header header;
} slot_image;

static int fail(const char *what, const char *detail) {
    fprintf(stderr, "update_flash_image: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    return EXIT_USAGE;
}

/* A PT_LOAD segment of the image's ELF: it must lie in the primary slot behind the header. */
static int take_segment(void *ctx, uint32_t paddr, const uint8_t *data, uint32_t filesz,
                        uint32_t memsz, char *why, size_t why_size) {
    slot_image *img = ctx;
    (void)memsz; /* bytes past filesz are RAM the startup code clears (.bss), not flash */
    if (filesz == 0) return 0;
    uint32_t first = UPDATE_PRIMARY_START + UPDATE_VECTORS_OFFSET;
    uint32_t end = UPDATE_PRIMARY_START + UPDATE_SLOT_SIZE;
    if (paddr < first || paddr > end || filesz > end - paddr) {
        snprintf(why, why_size,
                 "a segment of %u bytes at 0x%08x lies outside the primary slot's 0x%08x..0x%08x "
                 "(link the image with nrf52840/update_app.ld)",
                 (unsigned)filesz, (unsigned)paddr, (unsigned)first, (unsigned)end - 1);
        return -1;
    }
    uint32_t at = paddr - UPDATE_PRIMARY_START;
    memcpy(img->bytes + at, data, filesz);
    if (at + filesz > img->length) img->length = at + filesz;
    return 0;
}

static int parse_version(const char *text, nbs_image_version *v) {
    unsigned major, minor, revision;
    char end;
    if (sscanf(text, "%u.%u.%u%c", &major, &minor, &revision, &end) != 3 || major > 255 ||
        minor > 255 || revision > 65535)
        return -1;
    *v = (nbs_image_version){(uint8_t)major, (uint8_t)minor, (uint16_t)revision, 0};
    return 0;
}

/* ELF@VERSION into *img: the ELF's flash bytes from the vector table on, the header in front
 * (its body the bytes after it, gaps erased). */
static int load_image(const char *arg, slot_image *img) {
    char path[4096];
    const char *at = strrchr(arg, '@');
    if (!at || (size_t)(at - arg) >= sizeof path) return fail("expected ELF@VERSION, got", arg);
    memcpy(path, arg, (size_t)(at - arg));
    path[at - arg] = '\0';
    if (parse_version(at + 1, &img->header.version))
        return fail("the version after '@' is not MAJOR.MINOR.REVISION (each a number)", arg);
    memset(img->bytes, 0xFF, sizeof img->bytes);
    img->length = UPDATE_VECTORS_OFFSET;
    emu_elf elf;
    char why[EMU_ELF_WHY_MAX + 256];
    if (emu_elf_open(&elf, path, why, sizeof why)) return fail(why, NULL);
    int rc = emu_elf_for_each_segment(&elf, take_segment, img, why, sizeof why);
    emu_elf_close(&elf);
    if (rc) return fail(path, why);
    if (img->length == UPDATE_VECTORS_OFFSET) return fail(path, "no flash bytes in the slot");
    img->length = (img->length + 3u) & ~3u; /* whole words of the NVMC */
    img->header.size = img->length - NBS_IMAGE_HEADER_BYTES;
    img->header.crc = nbs_image_crc(0, img->bytes + NBS_IMAGE_HEADER_BYTES, img->header.size);
    nbs_image_header_encode(&img->header, img->bytes);
    return 0;
}

static int engine_fail(const char *what, int rc) {
    return fail(what, nbs_strerror(rc));
}

/* The factory's image in the primary slot: erased, then programmed raw. */
static int install_primary(const nbs_part_table *table, const slot_image *img) {
    nbs_raw raw;
    int rc = nbs_raw_open(&raw, table, "primary", true);
    if (!rc) rc = nbs_raw_erase(&raw, 0, UPDATE_SLOT_SIZE / UPDATE_SECTOR_SIZE);
    if (!rc) rc = nbs_raw_write(&raw, 0, img->bytes, img->length);
    nbs_raw_close(&raw);
    return rc ? engine_fail("writing the primary slot", rc) : 0;
}

/* The update sent as the running firmware would: open, write in pieces, complete. */
static int send_update(const nbs_update_slots *slots, const slot_image *img) {
    nbs_update u;
    int rc = nbs_update_open(&u, slots, 'a', img->length);
    for (uint32_t done = 0; !rc && done < img->length; done += 1024) {
        uint32_t n = img->length - done < 1024 ? img->length - done : 1024;
        rc = nbs_update_write(&u, img->bytes + done, n);
    }
    if (!rc) rc = nbs_update_complete(&u);
    nbs_update_close(&u);
    return rc ? engine_fail("sending the update to the secondary slot", rc) : 0;
}

static void describe(const char *slot, const slot_image *img, const char *state) {
    const nbs_image_version *v = &img->header.version;
    printf("%s: v%u.%u.%u, %u bytes (header included), body CRC-32C 0x%08x%s\n", slot,
           (unsigned)v->major, (unsigned)v->minor, (unsigned)v->revision, (unsigned)img->length,
           (unsigned)img->header.crc, state);
}

typedef struct tool_args {
    const char *out, *primary, *secondary;
    long corrupt; /* -1: none */
} tool_args;

static int parse_args(int argc, char **argv, tool_args *a) {
    *a = (tool_args){.corrupt = -1};
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        if (!strcmp(opt, "--help") || !strcmp(opt, "-h")) {
            fputs(usage, stdout);
            exit(0);
        }
        if (i + 1 >= argc) return fail("a value must follow", opt);
        const char *value = argv[++i];
        if (!strcmp(opt, "--out")) {
            a->out = value;
        } else if (!strcmp(opt, "--primary")) {
            a->primary = value;
        } else if (!strcmp(opt, "--secondary")) {
            a->secondary = value;
        } else if (!strcmp(opt, "--corrupt-secondary")) {
            char *end;
            errno = 0;
            a->corrupt = strtol(value, &end, 0);
            if (errno || *end || a->corrupt < 0 || a->corrupt >= (long)UPDATE_SLOT_SIZE)
                return fail("--corrupt-secondary takes an offset in the slot, 0..65535, not",
                            value);
        } else {
            return fail("unknown option (--help lists them)", opt);
        }
    }
    if (!a->out || !a->primary)
        return fail("--out and --primary are required (--help lists the options)", NULL);
    if (a->corrupt >= 0 && !a->secondary)
        return fail("--corrupt-secondary needs --secondary", NULL);
    return 0;
}

static slot_image primary_image, secondary_image;

int main(int argc, char **argv) {
    tool_args args;
    int rc = parse_args(argc, argv, &args);
    if (!rc) rc = load_image(args.primary, &primary_image);
    if (!rc && args.secondary) rc = load_image(args.secondary, &secondary_image);
    if (rc) return rc;

    nor *dev = NULL;
    const nor_config *preset = nor_preset_find("nrf52840");
    if (!preset || nor_create(&dev, preset, 1))
        return fail("cannot create the nrf52840 flash", NULL);
    nbs_nor whole, state_flash;
    nbs_sector_run runs[NOR_MAX_REGIONS];
    nbs_device device;
    static const nbs_partition partitions[UPDATE_PARTITION_COUNT] = UPDATE_PARTITIONS;
    nbs_part_table table = {&device, partitions, UPDATE_PARTITION_COUNT};
    static uint8_t work[4096], copy_buffer[1024];
    nbs_config cfg = {.work = work, .work_size = sizeof work};
    nbs_map state;
    rc = nbs_nor_bind_device(&whole, dev, runs, &device);
    if (!rc) rc = nbs_part_check(&table, NULL);
    if (!rc)
        rc = nbs_nor_bind(&state_flash, dev, UPDATE_STATE_START, UPDATE_STATE_SIZE,
                          UPDATE_SECTOR_SIZE);
    if (!rc) cfg.flash = state_flash.flash, rc = nbs_map_mount(&state, &cfg);
    if (rc) {
        nor_destroy(dev);
        return engine_fail("the update layout on the nrf52840's flash", rc);
    }
    nbs_update_slots slots = UPDATE_SLOTS(&table, &state, copy_buffer, sizeof copy_buffer);
    rc = install_primary(&table, &primary_image);
    if (!rc) describe("primary", &primary_image, ", installed");
    if (!rc && args.secondary) {
        rc = send_update(&slots, &secondary_image);
        if (!rc) describe("secondary", &secondary_image, ", complete: pending for the next boot");
    }
    if (!rc && args.corrupt >= 0) {
        nor_flip_bit(dev, UPDATE_SECONDARY_START + (uint32_t)args.corrupt, 0);
        printf("secondary: bit 0 of byte %ld flipped\n", args.corrupt);
    }
    if (!rc && nor_image_save(dev, args.out)) rc = fail("cannot write the image", args.out);
    nor_destroy(dev);
    return rc;
}
