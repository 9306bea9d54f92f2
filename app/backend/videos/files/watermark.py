"""An invisible watermark in a video's frames that outlives a re-encode and a halving of its size.

The method is invisible-watermark's "dwtDct" (Haar DWT, then one coefficient of each 4x4 block of
the approximation band set by quantisation index modulation), written here in numpy: that package
(0.2.0) requires torch and the full opencv-python, far too much for the core install, and the
Haar approximation band at level L is just the mean of each 2^L x 2^L cell (times 2^L), so it
needs no wavelet library either. Differences, for video: the mark goes in the luma plane (chroma
is subsampled and coarsely quantised by H.264), one fixed low-frequency DCT coefficient carries
a bit (not the block's largest, whose position a re-encode moves), and the payload has a CRC so a
clip without the mark is told apart from one whose bits were read.

The payload is 64 bits: a 48-bit id derived from the video's id (`mark_id`: no column, the studio
finds the video by hashing its ids) and a CRC-16 of it. Each frame carries all of it; a reader
averages soft votes over many blocks and frames, at the cell sizes a half-size (or doubled) copy
would have.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

ID_BITS = 48
BITS = ID_BITS + 16
CELL = 4  # pixels per side of one approximation-band cell (DWT level 2) in the marked frame
BLOCK = 4  # cells per side of one DCT block: a block covers 16x16 pixels
STEP = 22.0  # quantisation step of the carrying coefficient, in 8-bit luma levels
COEFF = (0, 1)  # the block's lowest horizontal frequency: smooth, and kept by H.264 at CRF 28
# How sure the average vote must be (1: every block agrees, 0: noise) before the bits are read.
MIN_STRENGTH = 0.15


def _dct_matrix(n: int) -> np.ndarray:
    k = np.arange(n)[:, None]
    x = np.arange(n)[None, :]
    m = np.cos(np.pi * (2 * x + 1) * k / (2 * n)) * np.sqrt(2 / n)
    m[0] /= np.sqrt(2)
    return m


DCT = _dct_matrix(BLOCK)
# The spatial pattern (BLOCK x BLOCK cells) of the carrying coefficient: a unit change of it.
PATTERN = np.outer(DCT[COEFF[0]], DCT[COEFF[1]])
# Which payload bit each block carries, by its index in the frame: a fixed shuffle, so that no
# bit sits only at the frame's edges (where a crop or a letterbox would take it).
_ORDER = np.random.default_rng(0x5EED).permutation(4096) % BITS


def mark_id(video_id: str) -> int:
    """The 48-bit id a video's frames carry: a hash of its id (the same wherever it is computed)."""
    return int.from_bytes(hashlib.sha256(f"video-studio-watermark:{video_id}".encode()).digest()[:6], "big")


def crc16(value: int) -> int:
    """CRC-16/CCITT-FALSE of the id's 6 bytes."""
    crc = 0xFFFF
    for byte in value.to_bytes(ID_BITS // 8, "big"):
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def payload_bits(value: int) -> np.ndarray:
    word = (value << 16) | crc16(value)
    return np.array([(word >> (BITS - 1 - i)) & 1 for i in range(BITS)], dtype=np.uint8)


def bits_value(bits: np.ndarray) -> int | None:
    """The id the bits carry, or None when their CRC does not match (no mark, or too damaged)."""
    word = 0
    for bit in bits:
        word = (word << 1) | int(bit)
    value, check = word >> 16, word & 0xFFFF
    return value if crc16(value) == check else None


def _bit_map(rows: int, cols: int) -> np.ndarray:
    count = rows * cols
    order = _ORDER if count <= len(_ORDER) else np.arange(count) % BITS
    return order[np.arange(count) % len(order)].reshape(rows, cols)


def _coefficients(luma: np.ndarray, cell: int) -> tuple[np.ndarray, int, int]:
    """The carrying coefficient of each block (rows, cols), in cell-mean units, and the grid size."""
    span = cell * BLOCK
    rows, cols = luma.shape[0] // span, luma.shape[1] // span
    area = luma[: rows * span, : cols * span].astype(np.float32)
    cells = area.reshape(rows * BLOCK, cell, cols * BLOCK, cell).mean(axis=(1, 3))
    blocks = cells.reshape(rows, BLOCK, cols, BLOCK)
    return np.einsum("ij,aibj->ab", PATTERN, blocks), rows, cols


def embed(luma: np.ndarray, bits: np.ndarray) -> np.ndarray:
    """The luma plane (H, W uint8) with the bits in it; blocks past the 16-pixel grid are kept."""
    coeff, rows, cols = _coefficients(luma, CELL)
    if rows == 0 or cols == 0:
        return luma
    wanted = bits[_bit_map(rows, cols)].astype(np.float32)
    offset = (0.25 + 0.5 * wanted) * STEP
    target = np.floor((coeff - offset) / STEP + 0.5) * STEP + offset
    change = np.einsum("ab,ij->aibj", target - coeff, PATTERN).reshape(rows * BLOCK, cols * BLOCK)
    span = CELL * BLOCK
    out = luma.astype(np.float32)
    out[: rows * span, : cols * span] += np.repeat(np.repeat(change, CELL, axis=0), CELL, axis=1)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


@dataclass
class Votes:
    """Soft votes per payload bit for one cell size, summed over the frames read so far."""

    cell: int
    total: np.ndarray
    count: np.ndarray

    @classmethod
    def empty(cls, cell: int) -> Votes:
        return cls(cell, np.zeros(BITS), np.zeros(BITS))

    def add(self, luma: np.ndarray) -> None:
        coeff, rows, cols = _coefficients(luma, self.cell)
        if rows == 0 or cols == 0:
            return
        # +1 at the bit-0 lattice (a quarter step), -1 at the bit-1 lattice (three quarters).
        vote = np.sin(2 * np.pi * (coeff / STEP))
        which = _bit_map(rows, cols).ravel()
        self.total += np.bincount(which, vote.ravel(), BITS)
        self.count += np.bincount(which, minlength=BITS)

    def strength(self) -> float:
        if not self.count.all():
            return 0.0
        return float(np.mean(np.abs(self.total / self.count)))

    def value(self) -> int | None:
        if self.strength() < MIN_STRENGTH:
            return None
        return bits_value((self.total < 0).astype(np.uint8))


# Cell sizes a reader tries: the marked size, a half-size copy (the same cells are 2 px), a doubled one.
READ_CELLS = (CELL, CELL // 2, CELL * 2)


def read(lumas: Iterable[np.ndarray]) -> tuple[int | None, float]:
    """The id found in these luma planes (None: no mark) and the vote's strength (0 to 1)."""
    tallies = [Votes.empty(cell) for cell in READ_CELLS]
    for luma in lumas:
        for votes in tallies:
            votes.add(luma)
    # A wrong cell size can score a little (the lattice partly survives pooling): the strongest
    # one whose bits pass the CRC wins.
    tallies.sort(key=lambda votes: votes.strength(), reverse=True)
    for votes in tallies:
        found = votes.value()
        if found is not None:
            return found, votes.strength()
    return None, tallies[0].strength()
