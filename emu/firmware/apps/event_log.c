/* Example app: an event log in the storage engine's queue, stamped with SysTick. SysTick
 * counts milliseconds of the core clock (its interrupt handler adds one); each boot mounts the
 * queue, finds the newest event's sequence number, sleeps in WFI for a few milliseconds (the
 * work a firmware would do before logging), pushes the next event with its time stamp (the
 * oldest events are dropped when the queue is full) and prints "logged event N at T ms" once the
 * push has returned (so a printed N is committed), with the time the push took (a first push
 * erases a page: SysTick's interrupts go on while the firmware waits for the flash). */
#include "board.h"
#include "nbs.h"

#define SYST_CSR           (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR           (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR           (*(volatile uint32_t *)0xE000E018u)
#define SYST_CSR_ENABLE    (1u << 0)
#define SYST_CSR_TICKINT   (1u << 1)
#define SYST_CSR_CORECLOCK (1u << 2)

#define SETTLE_MS 3 /* the wait before each event */

static volatile uint32_t milliseconds;
static uint8_t work[2560]; /* the engine's work buffer (see boot_counter.c) */

void systick_handler(void) {
    milliseconds++;
}

static uint32_t u32_at(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int main(void) {
    SYST_RVR = board_cpu_hz() / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CORECLOCK;
    nbs_config cfg = {.work = work, .work_size = sizeof work};
    board_storage_flash(&cfg.flash);
    nbs_queue queue;
    int rc = nbs_queue_mount(&queue, &cfg);
    if (rc) return board_print_failure("mount", rc), 1;
    nbs_queue_iter it;
    uint8_t event[8];
    size_t len;
    uint32_t newest = 0, count = 0;
    nbs_queue_iter_init(&queue, &it);
    while ((rc = nbs_queue_iter_next(&it, event, sizeof event, &len)) == 0)
        if (len == sizeof event) newest = u32_at(event), count++;
    if (rc != NBS_E_END) return board_print_failure("iterate", rc), 1;
    uint32_t until = milliseconds + SETTLE_MS;
    while (milliseconds < until) __asm volatile("wfi");
    uint32_t at = milliseconds;
    nbs_key_u32(newest + 1, event);
    nbs_key_u32(at, event + 4);
    rc = nbs_queue_push(&queue, event, sizeof event, NBS_PUSH_DROP_OLDEST);
    if (rc) return board_print_failure("push", rc), 1;
    board_print("events before: ");
    board_print_u32(count);
    board_print(", logged event ");
    board_print_u32(newest + 1);
    board_print(" at ");
    board_print_u32(at);
    board_print(" ms, stored by ");
    board_print_u32(milliseconds);
    board_print(" ms\n");
    return 0;
}
