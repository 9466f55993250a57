using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>
/// The 2-D convolution of <see cref="InterpolatedRepulsion"/>: a zero-padded grid times the kernel 1/(1+r²)² by FFT,
/// rows and columns transformed <typeparamref name="V"/>.Count at a time (8 with AVX, 16 with AVX-512). The FFT length is
/// any 2,3,5-smooth number. The grid is stored in panels of 16 columns, each panel all <see cref="Stride"/> rows of its
/// 16 columns one after the other (<see cref="Offset"/>): the column pass streams through one panel, and the row pass
/// reads 16 rows × 8 columns from one kilobyte; the columns past the length are scratch.
/// </summary>
internal sealed class GridConvolution<V> : IGridConvolution where V : struct, ILaneVector<V>
{
    private static readonly int Lanes = V.Count;
    private readonly ParallelOptions _parallel;
    private BatchedFourierTransform<V>? _fft;
    private double _kernelWidth = double.NaN;
    private float[] _kernel = [];

    public GridConvolution(ParallelOptions parallel) => _parallel = parallel;

    /// <summary>The grid's row and column count: the FFT length rounded up to whole panels.</summary>
    public int Stride { get; private set; }

    /// <summary>Columns per panel.</summary>
    public const int Panel = 16;

    /// <summary>Where (row, column) of a grid with <paramref name="stride"/> rows lies.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Offset(int stride, int row, int column) => (column >> 4) * stride * Panel + row * Panel + (column & (Panel - 1));

    /// <summary>
    /// Computes the kernel's spectrum for this FFT length and box width, unless it is current. The kernel is even in
    /// both axes, so row L−r equals row r: only rows 0 … L/2 are transformed, and the column pass mirrors the rest.
    /// </summary>
    public void Prepare(int length, double width, double h)
    {
        if (_fft is not null && _fft.Length == length && width == _kernelWidth) return;
        if (_fft is null || _fft.Length != length)
        {
            _fft = new BatchedFourierTransform<V>(length);
            Stride = (length + Panel - 1) / Panel * Panel;
            _kernel = new float[Stride * Stride];
            _kernelIm = new float[Stride * Stride];
        }
        _kernelWidth = width;
        int size = Stride, half = length / 2;
        Array.Clear(_kernelIm);
        Parallel.For(0, half + 1, _parallel, r =>
        {
            double dy = r * h;
            for (int c = 0; c < length; c++)
            {
                double dx = (c <= half ? c : c - length) * h;
                double q = 1 / (1 + dx * dx + dy * dy);
                _kernel[Offset(size, r, c)] = (float)(q * q);
            }
        });
        RowPass(_kernel, _kernelIm, rows: half + 1, validColumns: length, storeColumns: length, inverse: false);
        ColumnPass(_kernel, _kernelIm, validRows: half + 1, storeRows: length, spectrum: null, mirror: true);
        // a real kernel, even in both axes, has a real spectrum: keep the real part only
    }

    private float[] _kernelIm = [];

    /// <summary>
    /// Convolves two grids, (re + i·im) ← IFFT(FFT(re + i·im) · K̂) unscaled, for data in the first
    /// <paramref name="nodes"/> rows and columns. With at most two threads each grid is one thread's whole job
    /// (one hand-off instead of six); with more, each pass is spread over the threads. Same arithmetic either way.
    /// </summary>
    public void Convolve(float[] re1, float[] im1, float[] re2, float[] im2, int nodes)
    {
        int threads = _parallel.MaxDegreeOfParallelism > 0 ? _parallel.MaxDegreeOfParallelism : Environment.ProcessorCount;
        if (threads <= 2)
        {
            if (_own.Length != 2 || _own[0].Re.Length != Stride) _own = [new Scratch(Stride), new Scratch(Stride)];
            Parallel.Invoke(_parallel, () => Convolve(re1, im1, nodes, _own[0]), () => Convolve(re2, im2, nodes, _own[1]));
        }
        else
        {
            Convolve(re1, im1, nodes, null);
            Convolve(re2, im2, nodes, null);
        }
    }

    private Scratch[] _own = [];

    /// <summary>One grid's convolution, on this thread with <paramref name="own"/> scratch, or over the threads when null.</summary>
    private void Convolve(float[] re, float[] im, int nodes, Scratch? own)
    {
        int length = _fft!.Length;
        RowPass(re, im, rows: nodes, validColumns: nodes, storeColumns: length, inverse: false, own);
        ColumnPass(re, im, validRows: nodes, storeRows: nodes, spectrum: _kernel, own);
        RowPass(re, im, rows: nodes, validColumns: length, storeColumns: nodes, inverse: true, own);
    }

    /// <summary>body(block, scratch) for every block: in order on this thread with <paramref name="own"/>, else in parallel.</summary>
    private void ForBlocks(int blocks, Scratch? own, Action<int, Scratch> body)
    {
        if (own is not null)
        {
            for (int b = 0; b < blocks; b++) body(b, own);
            return;
        }
        int size = Stride;
        Parallel.For(0, blocks, _parallel, () => new Scratch(size), (b, _, s) => { body(b, s); return s; }, _ => { });
    }

    /// <summary>FFT along each of the first <paramref name="rows"/> rows, a block of lanes at a time (columns ≥ validColumns read as 0).</summary>
    private void RowPass(float[] re, float[] im, int rows, int validColumns, int storeColumns, bool inverse, Scratch? own = null)
    {
        var fft = _fft!;
        int size = Stride, length = fft.Length;
        int blocks = (rows + Lanes - 1) / Lanes;
        ForBlocks(blocks, own, (blk, s) =>
        {
            int first = blk * Lanes;
            for (int c = 0; c < validColumns; c += 8)
            {
                TransposedLoad(re, Offset(size, first, c), s.SourceRe, c);
                TransposedLoad(im, Offset(size, first, c), s.SourceIm, c);
            }
            // columns past the data read as 0 (the block may have picked up a few beyond validColumns)
            if (validColumns < length)
            {
                Array.Clear(s.SourceRe, validColumns, length - validColumns);
                Array.Clear(s.SourceIm, validColumns, length - validColumns);
            }
            fft.Transform(s.SourceRe, s.SourceIm, s.Re, s.Im, inverse);
            // whole blocks of 8 are stored: columns beyond storeColumns are never read as data
            for (int c = 0; c < storeColumns; c += 8)
            {
                TransposedStore(s.Re, c, re, Offset(size, first, c));
                TransposedStore(s.Im, c, im, Offset(size, first, c));
            }
        });
    }

    /// <summary>
    /// columns[c+k], lane j ← grid[offset + j·Panel + k] for k &lt; 8 and every lane j: 8-column slices of the block's
    /// rows, transposed 8×8 at a time and stacked into the lanes.
    /// </summary>
    private static void TransposedLoad(float[] grid, int offset, V[] columns, int c)
    {
        int groups = Lanes / 8;
        Span<Vector256<float>> rows = stackalloc Vector256<float>[8];
        Span<Vector256<float>> parts = stackalloc Vector256<float>[8 * 2];
        for (int g = 0; g < groups; g++)
        {
            for (int j = 0; j < 8; j++) rows[j] = Vector256.Create(grid, offset + (8 * g + j) * Panel);
            Transpose8(rows, parts.Slice(8 * g, 8));
        }
        Span<Vector256<float>> lanes = stackalloc Vector256<float>[2];
        for (int k = 0; k < 8; k++)
        {
            for (int g = 0; g < groups; g++) lanes[g] = parts[8 * g + k];
            columns[c + k] = V.FromParts(lanes);
        }
    }

    /// <summary>The inverse of <see cref="TransposedLoad"/>.</summary>
    private static void TransposedStore(V[] columns, int c, float[] grid, int offset)
    {
        int groups = Lanes / 8;
        Span<Vector256<float>> parts = stackalloc Vector256<float>[8 * 2];
        Span<Vector256<float>> lanes = stackalloc Vector256<float>[2];
        for (int k = 0; k < 8; k++)
        {
            columns[c + k].ToParts(lanes);
            for (int g = 0; g < groups; g++) parts[8 * g + k] = lanes[g];
        }
        Span<Vector256<float>> rows = stackalloc Vector256<float>[8];
        for (int g = 0; g < groups; g++)
        {
            Transpose8(parts.Slice(8 * g, 8), rows);
            for (int j = 0; j < 8; j++) rows[j].CopyTo(grid, offset + (8 * g + j) * Panel);
        }
    }

    /// <summary>output[k] lane j = input[j] lane k.</summary>
    private static void Transpose8(ReadOnlySpan<Vector256<float>> input, Span<Vector256<float>> output)
    {
        if (Avx.IsSupported)
        {
            var t0 = Avx.UnpackLow(input[0], input[1]); var t1 = Avx.UnpackHigh(input[0], input[1]);
            var t2 = Avx.UnpackLow(input[2], input[3]); var t3 = Avx.UnpackHigh(input[2], input[3]);
            var t4 = Avx.UnpackLow(input[4], input[5]); var t5 = Avx.UnpackHigh(input[4], input[5]);
            var t6 = Avx.UnpackLow(input[6], input[7]); var t7 = Avx.UnpackHigh(input[6], input[7]);
            var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
            var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
            var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
            var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
            output[0] = Avx.Permute2x128(u0, u4, 0x20); output[1] = Avx.Permute2x128(u1, u5, 0x20);
            output[2] = Avx.Permute2x128(u2, u6, 0x20); output[3] = Avx.Permute2x128(u3, u7, 0x20);
            output[4] = Avx.Permute2x128(u0, u4, 0x31); output[5] = Avx.Permute2x128(u1, u5, 0x31);
            output[6] = Avx.Permute2x128(u2, u6, 0x31); output[7] = Avx.Permute2x128(u3, u7, 0x31);
            return;
        }
        Span<float> m = stackalloc float[8 * 8];
        for (int j = 0; j < 8; j++)
            for (int k = 0; k < 8; k++) m[k * 8 + j] = input[j].GetElement(k);
        for (int k = 0; k < 8; k++) output[k] = Vector256.Create<float>(m.Slice(k * 8, 8));
    }

    /// <summary>
    /// Forward FFT along every column, 8 adjacent columns at a time (rows ≥ validRows read as 0); with a
    /// <paramref name="spectrum"/>, also times it and the inverse FFT, in the same trip through memory.
    /// Only the first <paramref name="storeRows"/> rows are written back. With <paramref name="mirror"/>, rows ≥ validRows
    /// read as row L − r (an input even in r).
    /// </summary>
    private void ColumnPass(float[] re, float[] im, int validRows, int storeRows, float[]? spectrum, Scratch? own = null, bool mirror = false)
    {
        var fft = _fft!;
        int size = Stride, length = fft.Length;
        ForBlocks(size / Lanes, own, (blk, s) =>
        {
            int c0 = Offset(size, 0, blk * Lanes);
            for (int r = 0; r < validRows; r++)
            {
                s.SourceRe[r] = V.Load(re, c0 + r * Panel);
                s.SourceIm[r] = V.Load(im, c0 + r * Panel);
            }
            if (mirror)
            {
                for (int r = validRows; r < length; r++) { s.SourceRe[r] = s.SourceRe[length - r]; s.SourceIm[r] = s.SourceIm[length - r]; }
            }
            else
            {
                Array.Clear(s.SourceRe, validRows, length - validRows);
                Array.Clear(s.SourceIm, validRows, length - validRows);
            }
            fft.Transform(s.SourceRe, s.SourceIm, s.Re, s.Im, inverse: false);
            var (outRe, outIm) = (s.Re, s.Im);
            if (spectrum is not null)
            {
                for (int r = 0; r < length; r++)
                {
                    var k = V.Load(spectrum, c0 + r * Panel);
                    s.Re[r] *= k;
                    s.Im[r] *= k;
                }
                fft.Transform(s.Re, s.Im, s.SourceRe, s.SourceIm, inverse: true);
                (outRe, outIm) = (s.SourceRe, s.SourceIm);
            }
            for (int r = 0; r < storeRows; r++)
            {
                outRe[r].Store(re, c0 + r * Panel);
                outIm[r].Store(im, c0 + r * Panel);
            }
        });
    }

    /// <summary>One worker's buffers for a batch of 8 transforms.</summary>
    private sealed class Scratch(int size)
    {
        public readonly V[] SourceRe = new V[size], SourceIm = new V[size];
        public readonly V[] Re = new V[size], Im = new V[size];
    }
}
