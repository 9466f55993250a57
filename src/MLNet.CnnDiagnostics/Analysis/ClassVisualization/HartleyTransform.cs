namespace MLNet.CnnDiagnostics.Analysis.ClassVisualization;

/// <summary>
/// The 2-D discrete Hartley transform H(k) = Σₙ x(n)·cas(2π(k_y·n_y/P + k_x·n_x/Q)), cas = cos + sin, of a P×Q plane
/// (powers of two): the real form of the Fourier basis. It is symmetric, so it is its own adjoint, and H(H(x)) = P·Q·x.
/// Computed as Re F − Im F of a radix-2 FFT.
/// </summary>
internal sealed class HartleyTransform
{
    private readonly int _p, _q;
    private readonly double[] _re, _im;

    public HartleyTransform(int p, int q)
    {
        if (!IsPowerOfTwo(p) || !IsPowerOfTwo(q)) throw new ArgumentException($"the plane is {p}×{q}; both sides must be powers of two.");
        (_p, _q) = (p, q);
        _re = new double[p * q];
        _im = new double[p * q];
    }

    public static bool IsPowerOfTwo(int n) => n > 0 && (n & (n - 1)) == 0;

    public static int NextPowerOfTwo(int n)
    {
        int p = 1;
        while (p < n) p <<= 1;
        return p;
    }

    /// <summary>Writes the transform of <paramref name="source"/> (P·Q values, row-major) into <paramref name="destination"/>.</summary>
    public void Apply(ReadOnlySpan<double> source, Span<double> destination)
    {
        source.CopyTo(_re);
        Array.Clear(_im);
        var rowRe = new double[_q];
        var rowIm = new double[_q];
        for (int y = 0; y < _p; y++)
        {
            _re.AsSpan(y * _q, _q).CopyTo(rowRe);
            _im.AsSpan(y * _q, _q).CopyTo(rowIm);
            Fft(rowRe, rowIm);
            rowRe.CopyTo(_re.AsSpan(y * _q, _q));
            rowIm.CopyTo(_im.AsSpan(y * _q, _q));
        }
        var colRe = new double[_p];
        var colIm = new double[_p];
        for (int x = 0; x < _q; x++)
        {
            for (int y = 0; y < _p; y++) { colRe[y] = _re[y * _q + x]; colIm[y] = _im[y * _q + x]; }
            Fft(colRe, colIm);
            for (int y = 0; y < _p; y++) { _re[y * _q + x] = colRe[y]; _im[y * _q + x] = colIm[y]; }
        }
        for (int i = 0; i < _p * _q; i++) destination[i] = _re[i] - _im[i];
    }

    /// <summary>In-place forward DFT (exponent −2πi·kn/N), iterative radix 2.</summary>
    private static void Fft(double[] re, double[] im)
    {
        int n = re.Length;
        for (int i = 1, j = 0; i < n; i++)
        {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j) { (re[i], re[j]) = (re[j], re[i]); (im[i], im[j]) = (im[j], im[i]); }
        }
        for (int length = 2; length <= n; length <<= 1)
        {
            double angle = -2 * Math.PI / length;
            double wRe = Math.Cos(angle), wIm = Math.Sin(angle);
            for (int start = 0; start < n; start += length)
            {
                double cRe = 1, cIm = 0;
                for (int k = 0; k < length / 2; k++)
                {
                    int a = start + k, b = a + length / 2;
                    double tRe = re[b] * cRe - im[b] * cIm, tIm = re[b] * cIm + im[b] * cRe;
                    re[b] = re[a] - tRe; im[b] = im[a] - tIm;
                    re[a] += tRe; im[a] += tIm;
                    (cRe, cIm) = (cRe * wRe - cIm * wIm, cRe * wIm + cIm * wRe);
                }
            }
        }
    }
}
