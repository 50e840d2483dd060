#!/usr/bin/python3
"""The runtime reserve of every shipped profile: what the runtime itself takes beside the model
(docs/profile-format.md, section runtime_reserve), with its sources. One table, used by the
profile generators (characterize/fit.py, runtimes.py) and, run alone, applied to the shipped
files in place:

  usage: profiles/runtime_reserves.py

Derivation (kB in the TinyEngine README taken as 1024 bytes, as the MCUNet papers count the
STM32F746's 320 kB SRAM):
- Flash: measured whole-image flash minus the model's own bytes. With TFLite Micro (also under
  CMSIS-NN kernels) the image holds the .tflite file (613,840 B for mcunet-vww1); X-CUBE-AI
  converts the model to C arrays of weights (444,976 B, opcost metrics). The rest is runtime
  code and constant tables. Not counted: the flatbuffer's bytes beyond the weights
  (quantization parameters, names: 168,864 B for mcunet-vww1), so a TFLite Micro flash fit is
  optimistic by that much for a model of that size.
- SRAM: measured peak SRAM minus opcost's peak activations with the profile's scratch
  (161,472 B for mcunet-vww1 on cortex-m7-f746): interpreter state, persistent buffers, the
  arena planner's loss and the stack. X-CUBE-AI measured LESS than opcost's peak (123 kB: it
  fuses and overlaps buffers opcost keeps apart), so its RAM reserve comes from ST's own
  "runtime RAM" column instead.
"""
import glob
import json
import os

KIB = 1024
VWW1_TFLITE_BYTES = 613840  # shared/models/mcunet/mcunet-vww1.tflite
VWW1_WEIGHT_BYTES = 444976  # opcost memory: weight_bytes
VWW1_PEAK_BYTES = 161472    # opcost memory --profile cortex-m7-f746: peak_activation_bytes

TINYENGINE = ("shared/measured/tinyengine_mcunet_measured.csv (github.com/mit-han-lab/tinyengine README.md "
              "@ c71768bb551d, section Measured Results): STM32F746G-DISCO, mcunet-vww1")
ST_ZOO = ("shared/measured/st_modelzoo_stm32h747_m7.csv (github.com/STMicroelectronics/stm32ai-modelzoo "
          "image_classification READMEs @ 6f10965e6a40, tables 'Reference MCU memory footprint'): STM32H747I-DISCO, "
          "STM32Cube.AI 10.0.0, 15 int8 models")


def measured_tflm(library, flash_kb, sram_kb):
    flash = flash_kb * KIB - VWW1_TFLITE_BYTES
    sram = sram_kb * KIB - VWW1_PEAK_BYTES
    return {
        "flash_bytes": flash, "sram_bytes": sram,
        "citation": (f"{TINYENGINE}, {library}: flash {flash_kb} kB, peak SRAM {sram_kb} kB. Flash reserve = "
                     f"{flash_kb} x 1024 - {VWW1_TFLITE_BYTES} B (.tflite file in the image) = {flash} B; SRAM "
                     f"reserve = {sram_kb} x 1024 - {VWW1_PEAK_BYTES} B (opcost's peak activations) = {sram} B. "
                     f"Derived from one model; the flatbuffer's bytes beyond the weights are not counted")}


def x_cube_ai(flash, flash_citation):
    sram = round(16.48 * KIB)
    return {
        "flash_bytes": flash, "sram_bytes": sram,
        "citation": (f"{flash_citation} SRAM reserve: median 'runtime RAM' 16.48 KiB = {sram} B of {ST_ZOO} "
                     f"(range 7.21-30.19 KiB)")}


ST_ZOO_CODE = round(83.38 * KIB)
ST_ZOO_FLASH = (f"Flash reserve: median 'code flash' 83.38 KiB = {ST_ZOO_CODE} B of {ST_ZOO} (range 56.45-191.16 "
                f"KiB; grows with the kernels a model uses).")
F746_XCUBE_FLASH = 534 * KIB - VWW1_WEIGHT_BYTES
F746_XCUBE = (f"Flash reserve: {TINYENGINE}, X-CUBE-AI v7.1.0: flash 534 kB; minus the model's weights "
              f"{VWW1_WEIGHT_BYTES} B (X-CUBE-AI stores weights as C arrays) = {F746_XCUBE_FLASH} B.")

CMSIS_NN = measured_tflm("CMSIS-NN v2.0.0 (TFLite Micro with CMSIS-NN kernels)", 743, 248)
TFLM_REFERENCE = measured_tflm("TF-Lite Micro v2.1.0 (reference kernels)", 782, 227)
BORROWED = (" Measured on the STM32F746 (Cortex-M7); taken over for this board unchanged (the same runtime's code "
            "and state).")

RESERVES = {
    "cortex-m7-f746": CMSIS_NN,
    "cortex-m4-l4r5": dict(CMSIS_NN, citation=CMSIS_NN["citation"] + BORROWED),
    "cortex-m33-ra6m4": dict(CMSIS_NN, citation=CMSIS_NN["citation"] + BORROWED),
    # Alif Ensemble E7 (Cortex-M55): TFLite Micro's code and state with Helium kernels were not
    # measured; the CMSIS-NN figures of the F746 are borrowed (the MVE kernels replace the DSP ones).
    "cortex-m55-e7": dict(CMSIS_NN, citation=CMSIS_NN["citation"] + BORROWED
                          + " ASSUMPTION: a Cortex-M55 build with CMSIS-NN's MVE kernels needs as much."),
    "stm32f746-tflm-reference": TFLM_REFERENCE,
    "stm32l4r5-tflm-reference": dict(TFLM_REFERENCE, citation=TFLM_REFERENCE["citation"] + BORROWED),
    "stm32f746-x-cube-ai": x_cube_ai(F746_XCUBE_FLASH, F746_XCUBE),
    "stm32h747-m7-cubeai": x_cube_ai(ST_ZOO_CODE, ST_ZOO_FLASH),
    "stm32h7a3-x-cube-ai": x_cube_ai(ST_ZOO_CODE, ST_ZOO_FLASH),
    "stm32l4r5-x-cube-ai": x_cube_ai(ST_ZOO_CODE, ST_ZOO_FLASH),
    "stm32u575-x-cube-ai": x_cube_ai(ST_ZOO_CODE, ST_ZOO_FLASH),
}


def apply(profile):
    """Sets profile["runtime_reserve"] (before "validation") and its source; returns the profile."""
    r = RESERVES[profile["name"]]
    profile["sources"]["runtime-reserve"] = {"kind": "derived", "citation": r["citation"]}
    reserve = {"flash_bytes": {"value": r["flash_bytes"], "source": "runtime-reserve"},
               "sram_bytes": {"value": r["sram_bytes"], "source": "runtime-reserve"}}
    validation = profile.pop("validation", None)
    profile["runtime_reserve"] = reserve
    if validation is not None:
        profile["validation"] = validation
    profile["format_version"] = max(profile.get("format_version", 1), 2)
    return profile


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for path in sorted(glob.glob(os.path.join(here, "*.json"))):
        with open(path) as f:
            profile = json.load(f)
        apply(profile)
        with open(path, "w") as f:
            json.dump(profile, f, indent=2)
            f.write("\n")
        r = profile["runtime_reserve"]
        print(f"{profile['name']}: flash {r['flash_bytes']['value']} B, SRAM {r['sram_bytes']['value']} B")


if __name__ == "__main__":
    main()
