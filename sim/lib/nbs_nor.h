/* Binds the engine's flash interface (nbs_flash) to a simulated NOR device. */
#ifndef NORBENCH_NBS_NOR_H
#define NORBENCH_NBS_NOR_H

#include "nbs.h"
#include "nbs_part.h"
#include "nor.h"

/* Caller-owned binding; `flash` is what the engine is given. It must outlive the engine. */
typedef struct nbs_nor {
    nor *dev;
    nbs_flash flash;
} nbs_nor;

/* Gives the engine pages of `page_size` bytes on [start, start+size) of dev. Every page must
 * be made of whole, equal sectors. Returns 0 or NBS_E_GEOMETRY. */
int nbs_nor_bind(nbs_nor *binding, nor *dev, uint32_t start, uint32_t size, uint32_t page_size);

/* The whole of dev as a partition table's device (nbs_part.h): the same reads and programs,
 * an erase call erases the one sector at its address; `runs` (caller memory) receives the
 * sector map. Returns 0 or NBS_E_INVAL. */
int nbs_nor_bind_device(nbs_nor *binding, nor *dev, nbs_sector_run runs[NOR_MAX_REGIONS],
                        nbs_device *out);

/* The binding's flash with reads of the stored bits (nor_peek): not counted, no weak bits drawn,
 * readable with the power off. For looking without leaving a trace (the inspection). */
nbs_flash nbs_nor_peek_flash(const nbs_nor *binding);

/* The engine error a NOR model error becomes. */
int nbs_nor_error(int nor_err);

#endif
