;; Globals and memory helpers in looping functions: GlobalsRewriteTest compiles this module with Chicory's own code
;; and with Donjon's rewrites (globals read through DirectGlobals, memory in locals kept across memory.copy/fill)
;; and checks that every export returns the same value.
;; Built by build.sh (wat2wasm, with the names section).
(module
  (memory (export "memory") 1 4)
  (global $sp (mut i32) (i32.const 65536))
  (global $count (mut i64) (i64.const 0))
  (global $seed i32 (i32.const 7))

  ;; A C function's shadow stack: take 16 bytes, store there, call a callee that does the same, give them back.
  (func $frame (param $v i32) (result i32)
    (local $old i32)
    (local.set $old (global.get $sp))
    (global.set $sp (i32.sub (local.get $old) (i32.const 16)))
    (i32.store (global.get $sp) (local.get $v))
    (global.set $count (i64.add (global.get $count) (i64.const 1)))
    (if (i32.gt_u (local.get $v) (i32.const 0))
      (then (drop (call $frame (i32.sub (local.get $v) (i32.const 1))))))
    (local.set $v (i32.add (i32.load (global.get $sp)) (global.get $seed)))
    (global.set $sp (local.get $old))
    (local.get $v))

  ;; n rounds of frames 5 deep; returns the sum, the stack pointer (back where it started) and the frame count.
  (func (export "stack") (param $n i32) (result i64)
    (local $i i32) (local $sum i32)
    (loop $again
      (local.set $sum (i32.add (local.get $sum) (call $frame (i32.const 5))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (local.get $n))))
    (i64.add
      (i64.add (i64.extend_i32_u (local.get $sum)) (i64.shl (i64.extend_i32_u (global.get $sp)) (i64.const 32)))
      (i64.shl (global.get $count) (i64.const 20))))

  ;; Loads around memory.fill and memory.copy in a loop: the loads must see what the helpers wrote.
  (func (export "fill_copy") (param $n i32) (result i32)
    (local $i i32) (local $sum i32)
    (loop $again
      (memory.fill (i32.const 100) (local.get $i) (i32.const 8))
      (local.set $sum (i32.add (local.get $sum) (i32.load (i32.const 100))))
      (memory.copy (i32.const 200) (i32.const 100) (i32.const 8))
      (i32.store8 (i32.const 100) (i32.const 0))
      (local.set $sum (i32.xor (local.get $sum) (i32.load (i32.const 204))))
      (local.set $sum (i32.add (local.get $sum) (memory.size)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $sum))

  ;; memory.grow inside the same loop: the loads and stores after it must reach the new page.
  (func (export "grow_in_loop") (result i32)
    (local $i i32) (local $sum i32) (local $page i32)
    (loop $again
      (memory.fill (i32.const 0) (i32.const 1) (i32.const 4))
      (local.set $page (memory.grow (i32.const 1)))
      (i32.store (i32.mul (local.get $page) (i32.const 65536)) (i32.add (local.get $i) (i32.const 40)))
      (local.set $sum (i32.add (local.get $sum) (i32.load (i32.mul (local.get $page) (i32.const 65536)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const 3))))
    (local.get $sum))
)
