/* The bootloader of the firmware update example, linked at the start of flash: at reset it runs
 * the update layer's boot step (nbs_update_boot: finishes a swap a power cut interrupted,
 * installs a pending image after checking its header and CRC, reverts an unconfirmed test
 * image), prints what it did, and starts the image in the primary slot the way a Cortex-M
 * bootloader does: VTOR to the image's vector table, MSP to its initial stack pointer, a branch
 * to its reset handler. It starts nothing it cannot trust: no valid image, or a vector table
 * whose stack or reset handler lies outside the RAM or the slot, stops here with a message. */
#include "board.h"
#include "update_layout.h"
#include "update_slots.h"

#define SCB_VTOR (*(volatile uint32_t *)0xE000ED08u)

static const char *action_name(nbs_boot_action action) {
    switch (action) {
    case NBS_BOOT_INSTALLED: return "installed";
    case NBS_BOOT_REVERTED: return "reverted to";
    case NBS_BOOT_REJECTED: return "rejected the pending image, kept";
    default: return "runs";
    }
}

static void print_version(const nbs_image_version *v) {
    board_print_u32(v->major);
    board_print(".");
    board_print_u32(v->minor);
    board_print(".");
    board_print_u32(v->revision);
}

/* Never returns: the image's reset handler runs on the image's stack. */
static void start_image(uint32_t vectors, uint32_t stack, uint32_t reset) {
    SCB_VTOR = vectors;
    __asm volatile("dsb\n\tisb\n\tmsr msp, %0\n\tbx %1" ::"r"(stack), "r"(reset) : "memory");
    __builtin_unreachable();
}

int main(void) {
    nbs_update_slots slots;
    int rc = update_slots_open(&slots);
    if (rc) return board_print_failure("boot: the update slots", rc), 1;
    nbs_boot_info info;
    rc = nbs_update_boot(&slots, &info);
    if (rc) return board_print_failure("boot: the boot step", rc), 1;
    if (!info.has_image) return board_print("boot: no valid image in the primary slot\n"), 1;
    board_print("boot: ");
    board_print(action_name(info.action));
    board_print(" ");
    print_version(&info.version);
    board_print(info.test ? " (a test boot)\n" : "\n");

    uint32_t vectors = UPDATE_PRIMARY_START + UPDATE_VECTORS_OFFSET;
    uint32_t stack = ((const volatile uint32_t *)vectors)[0];
    uint32_t reset = ((const volatile uint32_t *)vectors)[1];
    if (stack <= UPDATE_RAM_START || stack > UPDATE_RAM_END || stack % 4 || !(reset & 1u) ||
        reset < vectors || reset >= UPDATE_PRIMARY_START + UPDATE_SLOT_SIZE) {
        board_print("boot: the image's vector table at 0x");
        board_print_hex32(vectors);
        board_print(" names no stack in RAM and reset handler in its slot\n");
        return 1;
    }
    start_image(vectors, stack, reset);
    return 0;
}
