// Build-time only. @types/node 20 has no WebAssembly types (they live in
// TypeScript's DOM library, which would also replace Node's own globals), so
// this declares the part of the WebAssembly JS API the core's loader and ABI
// use: compiling and instantiating a module synchronously, and its memory.
declare namespace WebAssembly {
  interface Memory {
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }
  class Module {
    constructor(bytes: ArrayBufferView | ArrayBuffer);
  }
  class Instance {
    constructor(module: Module, importObject?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
}
