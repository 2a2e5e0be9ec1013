/* The boards the emulator knows, by name. A new board is one file defining an emu_board and
 * one line here. */
#include "emu_board.h"

#include <string.h>

extern const emu_board emu_board_nrf52840;
extern const emu_board emu_board_stm32f4;
extern const emu_board emu_board_stm32l4;

static const emu_board *const boards[] = {&emu_board_nrf52840, &emu_board_stm32f4,
                                          &emu_board_stm32l4};

size_t emu_board_count(void) {
    return sizeof boards / sizeof boards[0];
}

const emu_board *emu_board_at(size_t index) {
    return index < emu_board_count() ? boards[index] : NULL;
}

const emu_board *emu_board_find(const char *name) {
    for (size_t i = 0; i < emu_board_count(); i++)
        if (!strcmp(boards[i]->name, name)) return boards[i];
    return NULL;
}
