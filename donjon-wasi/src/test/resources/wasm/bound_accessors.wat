;; Loads and stores in functions without a loop, which keep no memory in locals: BoundAccessorsTest compiles this
;; module with Chicory's own code and with its accessors bound to DirectMemoryAccess, and checks that every export
;; returns the same value or traps the same way at the edges of the memory (one page, at most 4).
;; Built by build.sh (wat2wasm, with the names section).
(module
  (memory (export "memory") 1 4)

  (func (export "rw8") (param $a i32) (result i32)
    (i32.store8 offset=1 (local.get $a) (i32.const 0x1ff))
    (i32.load8_u offset=1 (local.get $a)))

  (func (export "rw16") (param $a i32) (result i32)
    (i32.store16 offset=2 (local.get $a) (i32.const 0x18765))
    (i32.load16_s offset=2 (local.get $a)))

  (func (export "rw32") (param $a i32) (result i32)
    (i32.store offset=4 (local.get $a) (i32.const 0x12345678))
    (i32.load offset=4 (local.get $a)))

  (func (export "rw64") (param $a i32) (result i64)
    (i64.store offset=8 (local.get $a) (i64.const 0x123456789abcdef0))
    (i64.load offset=8 (local.get $a)))

  (func (export "rwf32") (param $a i32) (result f32)
    (f32.store offset=4 (local.get $a) (f32.const 1.5))
    (f32.load offset=4 (local.get $a)))

  (func (export "rwf64") (param $a i32) (result f64)
    (f64.store offset=8 (local.get $a) (f64.const -2.25))
    (f64.load offset=8 (local.get $a)))

  ;; Grows the memory by a page, then stores into and loads from the new page: the bound accessors must see the
  ;; memory as it is after the grow (its array is replaced).
  (func (export "grown") (param $a i32) (result i32)
    (drop (memory.grow (i32.const 1)))
    (i32.store (local.get $a) (i32.const 42))
    (i32.load (local.get $a))))
