# Toolchain file: the engine cross-compiled for Cortex-M4 (thumb, -Os, freestanding).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_C_FLAGS_INIT "-mcpu=cortex-m4 -mthumb -Os -ffreestanding -ffunction-sections -fdata-sections")
set(CMAKE_BUILD_TYPE MinSizeRel CACHE STRING "" FORCE)
set(CMAKE_C_FLAGS_MINSIZEREL "-Os" CACHE STRING "" FORCE)
