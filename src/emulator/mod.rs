//! A local CAMS emulator (see `cams-emulator`).
