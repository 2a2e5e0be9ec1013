/* The engine's flash binding to the NOR model: programs that cross an SPI program page land
 * where they were sent (no wrap), engine pages erase all their sectors, bad ranges are refused. */
#include "nbs_nor.h"

#include <criterion/criterion.h>
#include <string.h>

static nor *open_preset(const char *name) {
    nor *dev = NULL;
    cr_assert_eq(nor_create(&dev, nor_preset_find(name), 1), NOR_OK);
    return dev;
}

Test(nbs_nor, program_across_an_spi_page_is_split_not_wrapped) {
    nor *dev = open_preset("w25q16jv");
    nbs_nor b;
    cr_assert_eq(nbs_nor_bind(&b, dev, 0, 4 * 4096, 4096), NBS_OK);
    uint8_t data[32], back[288];
    memset(data, 0x11, sizeof data);
    cr_assert_eq(b.flash.program(b.flash.ctx, 240, data, sizeof data), NBS_OK);
    cr_assert_eq(nor_peek(dev, 0, back, sizeof back), NOR_OK);
    for (uint32_t i = 0; i < sizeof back; i++)
        cr_assert_eq(back[i], i >= 240 && i < 272 ? 0x11 : 0xFF, "byte %u is %#x", i, back[i]);
    nor_destroy(dev);
}

Test(nbs_nor, erase_of_an_engine_page_erases_each_sector) {
    nor *dev = open_preset("w25q16jv");
    nbs_nor b;
    cr_assert_eq(nbs_nor_bind(&b, dev, 0, 4 * 8192, 8192), NBS_OK);
    cr_assert_eq(b.flash.erase(b.flash.ctx, 8192), NBS_OK);
    cr_assert_eq(nor_erase_count(dev, 1), 0);
    cr_assert_eq(nor_erase_count(dev, 2), 1);
    cr_assert_eq(nor_erase_count(dev, 3), 1);
    cr_assert_eq(nor_erase_count(dev, 4), 0);
    nor_destroy(dev);
}

Test(nbs_nor, bad_ranges_are_refused) {
    nor *dev = open_preset("stm32f4-1m");
    nbs_nor b;
    cr_assert_eq(nbs_nor_bind(&b, dev, 0, 16384, 16384), NBS_E_GEOMETRY, "one page");
    cr_assert_eq(nbs_nor_bind(&b, dev, 0, 3 * 16384, 16384 + 8192), NBS_E_GEOMETRY, "size");
    cr_assert_eq(nbs_nor_bind(&b, dev, 3 * 16384, 2 * 16384, 16384), NBS_E_GEOMETRY,
                 "a page over the 16 KiB / 64 KiB boundary");
    cr_assert_eq(nbs_nor_bind(&b, dev, 0, 4 * 16384, 16384), NBS_OK);
    nor_destroy(dev);
}
