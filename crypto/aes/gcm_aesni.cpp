// placeholder
#if TERN_SIMD && defined(__x86_64__)
#endif
