(module
  (import "env" "memory" (memory 1))
  ;; out[i] = sum_j codes[slot_i * stride + j] * query[j] as i32, codes int8, query int16, stride a multiple of 16.
  ;; slot_i = slots[i] when slots >= 0, else i (every row in order).
  (func (export "dots") (param $codes i32) (param $stride i32) (param $query i32)
                       (param $slots i32) (param $n i32) (param $out i32)
    (local $i i32) (local $row i32) (local $j i32) (local $q i32) (local $acc v128) (local $v v128)
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $row
          (i32.add (local.get $codes)
            (i32.mul (local.get $stride)
              (if (result i32) (i32.ge_s (local.get $slots) (i32.const 0))
                (then (i32.load (i32.add (local.get $slots) (i32.shl (local.get $i) (i32.const 2)))))
                (else (local.get $i))))))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (local.set $q (local.get $query))
        (block $rowdone
          (loop $cols
            (br_if $rowdone (i32.ge_u (local.get $j) (local.get $stride)))
            (local.set $v (v128.load (i32.add (local.get $row) (local.get $j))))
            (local.set $acc (i32x4.add (local.get $acc)
              (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $v)) (v128.load (local.get $q)))))
            (local.set $acc (i32x4.add (local.get $acc)
              (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $v)) (v128.load offset=16 (local.get $q)))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (local.set $q (i32.add (local.get $q) (i32.const 32)))
            (br $cols)))
        (i32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
          (i32.add
            (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
            (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))))
