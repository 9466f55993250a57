namespace MLNet.CnnDiagnostics;

/// <summary>
/// The library's own exception: thrown for bad input (a corrupt model file, an unknown layer, NaN embeddings, ...)
/// with a message that names the bad value and what would be valid.
/// </summary>
public class CnnDiagnosticsException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public CnnDiagnosticsException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public CnnDiagnosticsException(string message, Exception inner) : base(message, inner) { }
}
