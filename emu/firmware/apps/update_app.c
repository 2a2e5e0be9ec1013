/* An application image of the firmware update example (built as v1, v2 and a v2 that confirms
 * itself; APP_VERSION, APP_CONFIRMS), linked to run from the primary slot behind its header
 * (nrf52840/update_app.ld) and started by apps/bootloader.c. It prints its version; on a test
 * boot (the update's state TEST) it confirms itself with nbs_update_confirm when built to, or
 * says it does not, and the next boot reverts it. An SVC first shows that exceptions reach this
 * image's own handlers: the bootloader moved VTOR to its vector table (with VTOR left at the
 * bootloader's table the SVC would land in the bootloader's endless default handler). */
#include "board.h"
#include "update_slots.h"

#ifndef APP_VERSION
#error "APP_VERSION: the version this image prints, e.g. \"2.0.0\""
#endif

static volatile uint32_t svc_calls;

void svc_handler(void) {
    svc_calls++;
}

int main(void) {
    __asm volatile("svc 0" ::: "memory");
    if (svc_calls != 1) return board_print("app v" APP_VERSION ": the SVC missed its handler\n"), 1;
    board_print("app v" APP_VERSION " running\n");
    nbs_update_slots slots;
    int rc = update_slots_open(&slots);
    nbs_update_status status;
    if (!rc) rc = nbs_update_status_get(&slots, &status);
    if (rc) return board_print_failure("app: the update state", rc), 1;
    if (status.state != NBS_UPDATE_TEST) return 0;
#if APP_CONFIRMS
    rc = nbs_update_confirm(&slots);
    if (rc) return board_print_failure("app: confirm", rc), 1;
    board_print("app v" APP_VERSION ": confirmed\n");
#else
    board_print("app v" APP_VERSION ": a test boot, not confirmed: the next boot reverts it\n");
#endif
    return 0;
}
