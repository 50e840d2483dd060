// Reset code for QEMU mps3-an547: vector table, MVE/FPU enable, .bss, semihosting exit.
// QEMU's AN547 takes the reset vector from address 0 (ITCM), where the linker script puts this table.
#include <stdint.h>

#include "semihost.h"

extern uint32_t __stack_top, __bss_start, __bss_end;
int main(void);

// Any fault ends the run with a distinct exit code instead of hanging QEMU.
static void hel_fault(void) { hel_exit(3); }

void hel_reset(void) {
  // CPACR: full access to CP10/CP11, which gates both the FPU and MVE (Helium). Without it the
  // first vector instruction raises a UsageFault (NOCP).
  volatile uint32_t* cpacr = (volatile uint32_t*)0xE000ED88u;
  *cpacr |= 0xFu << 20;
  __asm volatile("dsb\n\tisb" ::: "memory");
  for (uint32_t* p = &__bss_start; p < &__bss_end; p++) *p = 0;
  hel_exit(main());
}

__attribute__((section(".vectors"), used)) static const uintptr_t kVectors[16] = {
    (uintptr_t)&__stack_top, (uintptr_t)hel_reset,
    (uintptr_t)hel_fault, (uintptr_t)hel_fault, (uintptr_t)hel_fault, (uintptr_t)hel_fault,
    (uintptr_t)hel_fault, (uintptr_t)hel_fault, 0, 0, 0, 0, 0, 0, 0, 0};
