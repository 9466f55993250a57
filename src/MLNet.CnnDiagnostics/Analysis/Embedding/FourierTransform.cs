using System.Numerics;

namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>
/// A complex FFT of one fixed length whose prime factors are 2, 3 and 5: recursive mixed-radix decimation in time
/// (X[k₁+m·k₂] = Σ_{j₂} w_p^{j₂k₂}·w_n^{j₂k₁}·Y_{j₂}[k₁]) with a precomputed twiddle table. Unscaled in both directions.
/// </summary>
internal sealed class FourierTransform
{
    private readonly int _n;
    private readonly int[] _factors;
    private readonly Complex[] _forward;
    private readonly Complex[] _inverse;

    public FourierTransform(int n)
    {
        if (n < 1 || !IsFastLength(n)) throw new ArgumentOutOfRangeException(nameof(n), n, "FFT length must be a product of 2, 3 and 5.");
        _n = n;
        var factors = new List<int>();
        int rest = n;
        while (rest % 4 == 0) { factors.Add(4); rest /= 4; }
        foreach (int p in new[] { 2, 3, 5 })
            while (rest % p == 0) { factors.Add(p); rest /= p; }
        _factors = factors.ToArray();
        _forward = new Complex[n];
        _inverse = new Complex[n];
        for (int i = 0; i < n; i++)
        {
            double angle = -2 * Math.PI * i / n;
            _forward[i] = new Complex(Math.Cos(angle), Math.Sin(angle));
            _inverse[i] = Complex.Conjugate(_forward[i]);
        }
    }

    public int Length => _n;

    public static bool IsFastLength(int n)
    {
        foreach (int p in new[] { 2, 3, 5 }) while (n % p == 0) n /= p;
        return n == 1;
    }

    /// <summary>The smallest 2,3,5-smooth length ≥ n.</summary>
    public static int NextFastLength(int n)
    {
        while (!IsFastLength(n)) n++;
        return n;
    }

    /// <summary>Transforms <paramref name="source"/> (read with the given stride) into <paramref name="destination"/> (contiguous).</summary>
    public void Transform(Complex[] source, int offset, int stride, Complex[] destination, int destOffset, bool inverse)
    {
        if (_n == 1) { destination[destOffset] = source[offset]; return; }
        Recurse(source, offset, stride, destination, destOffset, _n, 0, inverse ? _inverse : _forward, inverse ? 1.0 : -1.0);
    }

    private void Recurse(Complex[] src, int so, int stride, Complex[] dst, int d0, int n, int level, Complex[] tw, double sign)
    {
        int p = _factors[level], m = n / p;
        if (m == 1)
        {
            for (int j = 0; j < p; j++) dst[d0 + j] = src[so + j * stride];
            Butterfly(dst, d0, 1, p, sign);
            return;
        }
        for (int j = 0; j < p; j++) Recurse(src, so + j * stride, stride * p, dst, d0 + j * m, m, level + 1, tw, sign);
        int step = _n / n; // w_n^e = table[e·step]
        for (int k1 = 0; k1 < m; k1++)
        {
            for (int j = 1; j < p; j++) dst[d0 + j * m + k1] *= tw[(j * k1 * step) % _n];
            Butterfly(dst, d0 + k1, m, p, sign);
        }
    }

    private static readonly double S3 = Math.Sqrt(3) / 2;
    private static readonly double C5a = Math.Cos(2 * Math.PI / 5), C5b = Math.Cos(4 * Math.PI / 5);
    private static readonly double S5a = Math.Sin(2 * Math.PI / 5), S5b = Math.Sin(4 * Math.PI / 5);

    /// <summary>In-place p-point DFT of x[o], x[o+s], ..., x[o+(p−1)s] with exponent sign <paramref name="sign"/>.</summary>
    private static void Butterfly(Complex[] x, int o, int s, int p, double sign)
    {
        switch (p)
        {
            case 2:
            {
                var a = x[o]; var b = x[o + s];
                x[o] = a + b; x[o + s] = a - b;
                break;
            }
            case 3:
            {
                var a = x[o]; var b = x[o + s]; var c = x[o + 2 * s];
                var t = b + c;
                var u = a - 0.5 * t;
                var v = b - c;
                var rot = new Complex(-v.Imaginary * S3 * sign, v.Real * S3 * sign); // i·sign·(√3/2)·v
                x[o] = a + t; x[o + s] = u + rot; x[o + 2 * s] = u - rot;
                break;
            }
            case 4:
            {
                var a = x[o]; var b = x[o + s]; var c = x[o + 2 * s]; var d = x[o + 3 * s];
                var t0 = a + c; var t1 = a - c; var t2 = b + d; var t3 = b - d;
                var r = new Complex(-t3.Imaginary * sign, t3.Real * sign); // i·sign·t3
                x[o] = t0 + t2; x[o + 2 * s] = t0 - t2; x[o + s] = t1 + r; x[o + 3 * s] = t1 - r;
                break;
            }
            case 5:
            {
                var a = x[o]; var b = x[o + s]; var c = x[o + 2 * s]; var d = x[o + 3 * s]; var e = x[o + 4 * s];
                var s1 = b + e; var d1 = b - e; var s2 = c + d; var d2 = c - d;
                var u1 = a + C5a * s1 + C5b * s2;
                var u2 = a + C5b * s1 + C5a * s2;
                var w1 = S5a * d1 + S5b * d2;
                var w2 = S5b * d1 - S5a * d2;
                var r1 = new Complex(-w1.Imaginary * sign, w1.Real * sign);
                var r2 = new Complex(-w2.Imaginary * sign, w2.Real * sign);
                x[o] = a + s1 + s2;
                x[o + s] = u1 + r1; x[o + 4 * s] = u1 - r1;
                x[o + 2 * s] = u2 + r2; x[o + 3 * s] = u2 - r2;
                break;
            }
            default: throw new InvalidOperationException($"radix {p} is not supported.");
        }
    }
}
