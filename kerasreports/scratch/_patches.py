"""Unfold (im2col) and fold (col2im) for channels_last tensors, with keras.ops only.

`unfold` gathers every receptive field into one row so that a convolution is a single matrix
product; `fold` is its adjoint (it scatters rows back, summing where fields overlap), which is
exactly what the input gradient of a convolution, and the forward pass of a transposed
convolution, need. Both are written with slicing, `stack`, `pad` and `reshape`, so they run
unchanged on every Keras backend. Strides, paddings and dilations are (rows, columns) pairs.
"""

from __future__ import annotations

from keras import ops

from .module import Tensor

Pair = tuple[int, int]


def pair(value: int | tuple[int, int], name: str, *, minimum: int) -> Pair:
    """An int or a pair of ints, checked to be at least `minimum`, as a pair."""
    values = (value, value) if isinstance(value, int) else tuple(value)
    if len(values) != 2 or not all(isinstance(v, int) and v >= minimum for v in values):
        raise ValueError(f"{name} must be an int >= {minimum} or a pair of them, got {value!r}")
    return values  # type: ignore[return-value]


def conv_output_size(size: int, kernel: int, *, stride: int, padding: int, dilation: int) -> int:
    """PyTorch's (and Keras' "valid" after zero padding) output length of a convolution."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def pad_spatial(x: Tensor, top: int, bottom: int, left: int, right: int) -> Tensor:
    if not (top or bottom or left or right):
        return x
    return ops.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]])


def unfold(x: Tensor, kernel: Pair, *, stride: Pair, padding: Pair, dilation: Pair) -> Tensor:
    """(N, H, W, C) -> (N, Ho, Wo, kh*kw*C), feature index = (i*kw + j)*C + c.

    That index order matches a Keras kernel (kh, kw, C, out) reshaped to (kh*kw*C, out).
    """
    _, height, width, channels = ops.shape(x)
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    out_h = conv_output_size(height, kh, stride=sh, padding=ph, dilation=dh)
    out_w = conv_output_size(width, kw, stride=sw, padding=pw, dilation=dw)
    x = pad_spatial(x, ph, ph, pw, pw)
    slices = []
    for i in range(kh):
        for j in range(kw):
            top, left = i * dh, j * dw
            slices.append(
                x[:, top : top + (out_h - 1) * sh + 1 : sh, left : left + (out_w - 1) * sw + 1 : sw, :]
            )
    patches = ops.stack(slices, axis=3)  # (N, Ho, Wo, kh*kw, C)
    return ops.reshape(patches, (-1, out_h, out_w, kh * kw * channels))


def fold(
    cols: Tensor, size: Pair, kernel: Pair, *, stride: Pair, padding: Pair, dilation: Pair
) -> Tensor:
    """The adjoint of `unfold`: (N, Ho, Wo, kh*kw*C) -> (N, H, W, C) for an input of `size`.

    For each kernel offset (i, j) the (N, Ho, Wo, C) slice is spread to the stride positions
    (zeros in between), shifted by (i*dh, j*dw) inside the padded input, and summed; the
    padding is cropped at the end, since padded positions have no input to receive gradient.
    """
    height, width = size
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    _, out_h, out_w, features = ops.shape(cols)
    expected = (
        conv_output_size(height, kh, stride=sh, padding=ph, dilation=dh),
        conv_output_size(width, kw, stride=sw, padding=pw, dilation=dw),
    )
    if (out_h, out_w) != expected or features % (kh * kw):
        raise ValueError(f"fold: columns of shape {tuple(ops.shape(cols))} do not fit an input of {size}")
    channels = features // (kh * kw)
    padded_h, padded_w = height + 2 * ph, width + 2 * pw
    span_h, span_w = (out_h - 1) * sh + 1, (out_w - 1) * sw + 1
    cols = ops.reshape(cols, (-1, out_h, out_w, kh * kw, channels))
    total = None
    for i in range(kh):
        for j in range(kw):
            piece = _spread(cols[:, :, :, i * kw + j, :], sh, sw)  # (N, span_h, span_w, C)
            top, left = i * dh, j * dw
            piece = pad_spatial(piece, top, padded_h - top - span_h, left, padded_w - left - span_w)
            total = piece if total is None else total + piece
    return total[:, ph : ph + height, pw : pw + width, :]


def _spread(x: Tensor, stride_h: int, stride_w: int) -> Tensor:
    """(N, H, W, C) -> (N, (H-1)*sh+1, (W-1)*sw+1, C) with sh-1 (sw-1) zeros between entries."""
    _, height, width, channels = ops.shape(x)
    if stride_h > 1:
        x = ops.pad(ops.expand_dims(x, 2), [[0, 0], [0, 0], [0, stride_h - 1], [0, 0], [0, 0]])
        x = ops.reshape(x, (-1, height * stride_h, width, channels))[:, : (height - 1) * stride_h + 1]
        height = (height - 1) * stride_h + 1
    if stride_w > 1:
        x = ops.pad(ops.expand_dims(x, 3), [[0, 0], [0, 0], [0, 0], [0, stride_w - 1], [0, 0]])
        x = ops.reshape(x, (-1, height, width * stride_w, channels))[:, :, : (width - 1) * stride_w + 1]
    return x


def _pad_or_crop(x: Tensor, top: int, bottom: int, left: int, right: int) -> Tensor:
    """Pad (positive amounts) or crop (negative amounts) each spatial side of (N, H, W, C)."""
    _, height, width, _ = ops.shape(x)
    x = x[:, max(-top, 0) : height - max(-bottom, 0), max(-left, 0) : width - max(-right, 0), :]
    return pad_spatial(x, max(top, 0), max(bottom, 0), max(left, 0), max(right, 0))


def fold_product(
    g: Tensor, matrix: Tensor, size: Pair, kernel: Pair, *, stride: Pair, padding: Pair, dilation: Pair
) -> Tensor:
    """`fold(g @ matrix^T, size, kernel, ...)` without the (N, Ho, Wo, kh*kw*C) columns.

    `g` is (N, Ho, Wo, Cg) and `matrix` (kh*kw*C, Cg), a kernel (kh, kw, C, Cg) reshaped. The
    same sum, regrouped: spread `g` to the stride positions, pad it by the kernel's reach, and
    correlate it at stride 1 with the kernel flipped in space and transposed in channels,
    which is `unfold` plus one matrix product over Cg-channel patches. When C is much larger
    than Cg (the input gradient of a convolution that narrows, e.g. a last layer to 3
    channels) this moves kh*kw*Cg numbers per position instead of kh*kw*C; otherwise the
    plain product and `fold` move fewer, and are used (`benchmarks/scratch_vs_keras.py`).
    """
    height, width = size
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    _, out_h, out_w, cg = ops.shape(g)
    channels = ops.shape(matrix)[0] // (kh * kw)
    if cg >= channels:
        return fold(ops.matmul(g, ops.transpose(matrix)), size, kernel, stride=stride,
                    padding=padding, dilation=dilation)
    span_h, span_w = (out_h - 1) * sh + 1, (out_w - 1) * sw + 1
    top, left = dh * (kh - 1) - ph, dw * (kw - 1) - pw
    spread = _pad_or_crop(
        _spread(g, sh, sw), top, height + ph - span_h, left, width + pw - span_w
    )  # rows ph - dh*(kh-1) .. ph + height of the padded input, in g's frame
    flipped = ops.flip(ops.reshape(matrix, (kh, kw, channels, cg)), axis=(0, 1))
    flipped = ops.reshape(ops.transpose(flipped, (0, 1, 3, 2)), (kh * kw * cg, channels))
    cols = unfold(spread, kernel, stride=(1, 1), padding=(0, 0), dilation=dilation)
    return ops.matmul(cols, flipped)
