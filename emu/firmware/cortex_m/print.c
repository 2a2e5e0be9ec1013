/* Numbers and the engine's errors as text for the apps, over the board's board_print (the same
 * on every board). */
#include "board.h"

void board_print_u32(uint32_t value) {
    char digits[11];
    int at = 10;
    digits[at] = '\0';
    do {
        digits[--at] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    board_print(digits + at);
}

void board_print_hex32(uint32_t value) {
    char digits[9];
    for (int i = 7; i >= 0; i--, value >>= 4) digits[i] = "0123456789abcdef"[value & 0xFu];
    digits[8] = '\0';
    board_print(digits);
}

void board_print_failure(const char *what, int rc) {
    board_print("error: ");
    board_print(what);
    board_print(": ");
    board_print(nbs_strerror(rc));
    board_print("\n");
}
