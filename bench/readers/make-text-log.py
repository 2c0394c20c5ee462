#!/usr/bin/env python3
"""Writes a QEMU-trace-shaped log of about SIZE MB for the text reader benchmark:
make-text-log.py OUT SIZE_MB. Lines are real QEMU 7.2 line shapes (traces/backend) with varying
numbers; a third of them only match the catch-all pattern, a few match no pattern at all."""
import random, sys
out, size = sys.argv[1], float(sys.argv[2]) * 1e6
random.seed(1)
shapes = [
    "{tid}@{sec}.{us:06d}:vhost_user_write req:{req} flags:0x1",
    "{tid}@{sec}.{us:06d}:vhost_user_read req:{req} flags:0x5",
    "{tid}@{sec}.{us:06d}:virtio_set_status vdev 0x55de221c3600 val {val}",
    "{tid}@{sec}.{us:06d}:virtqueue_pop vq 0x7f3a5c0{val:05x} elem 0x55de2{us:06x} in_num 1 out_num 0",
    "{tid}@{sec}.{us:06d}:virtqueue_fill vq 0x7f3a5c0{val:05x} elem 0x55de2{us:06x} len 64 idx {req}",
    "{tid}@{sec}.{us:06d}:virtio_notify vdev 0x55de221c3600 vq 0x7f3a5c0{val:05x}",
    "{tid}@{sec}.{us:06d}:vhost_dev_start 0x55de221c3840:virtio-rng vrings:1",
    "{tid}@{sec}.{us:06d}:memory_region_ops_read cpu 0 mr 0x55de2{us:06x} addr 0xfebd{val:04x} value 0x{req:x} size 4",
    "{tid}@{sec}.{us:06d}:pci_cfg_write virtio-rng-pci 00:{req:02d}.0 @0x{val:x} <- 0x{us:x}",
    "qemu-system-x86_64: warning: host doesn't support requested feature: CPUID.80000001H:ECX.svm [bit 2]",
]
n = 0
sec = 1795613655
with open(out, "w") as f:
    while n < size:
        s = random.choice(shapes).format(tid=random.choice((12320, 12321, 12325)), sec=sec, us=random.randrange(1000000),
                                         req=random.randrange(1, 40), val=random.randrange(16))
        f.write(s + "\n")
        n += len(s) + 1
        sec += random.random() < 0.001
