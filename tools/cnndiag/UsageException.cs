namespace MLNet.CnnDiagnostics.Cli;

/// <summary>A mistake on the command line (exit code 2): the message names the bad argument and what is valid.</summary>
internal sealed class UsageException(string message) : Exception(message);
