using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using MLNet.CnnDiagnostics.Analyzers;

namespace MLNet.CnnDiagnostics.CodeFixes;

/// <summary>CNND002 fix: <c>pipeline.AppendVisualization();</c> → <c>pipeline = pipeline.AppendVisualization();</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AssignBackCodeFixProvider)), Shared]
public sealed class AssignBackCodeFixProvider : CodeFixProvider
{
    private const string Title = "Assign the new chain back to the variable";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(CnnDiagnosticsRules.DiscardedPipeline.Id);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() =>
        FixAllProvider.Create((fixAll, document, diagnostics) => FixAsync(document, diagnostics, fixAll.CancellationToken));

    /// <inheritdoc />
    public override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        // the analyzer adds the variable's location only when the result can be assigned to it
        foreach (var diagnostic in context.Diagnostics.Where(d => d.AdditionalLocations.Count == 1))
        {
            context.RegisterCodeFix(
                CodeAction.Create(Title, token => FixAsync(context.Document, ImmutableArray.Create(diagnostic), token)!, equivalenceKey: Title),
                diagnostic);
        }
        return Task.CompletedTask;
    }

    private static async Task<Document?> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken token)
    {
        var root = await document.GetSyntaxRootAsync(token).ConfigureAwait(false);
        if (root is null) return document;
        var targets = diagnostics
            .Where(d => d.AdditionalLocations.Count == 1)
            .Select(d => (Statement: root.FindNode(d.Location.SourceSpan).FirstAncestorOrSelf<ExpressionStatementSyntax>(),
                          Variable: root.FindNode(d.AdditionalLocations[0].SourceSpan, getInnermostNodeForTie: true) as ExpressionSyntax))
            .Where(t => t.Statement is not null && t.Variable is not null)
            .ToDictionary(t => t.Statement!, t => t.Variable!);
        if (targets.Count == 0) return document;
        return document.WithSyntaxRoot(root.ReplaceNodes(targets.Keys, (original, rewritten) => AssignBack(rewritten, targets[original])));
    }

    private static ExpressionStatementSyntax AssignBack(ExpressionStatementSyntax statement, ExpressionSyntax variable)
    {
        var call = statement.Expression;
        var assignment = SyntaxFactory.AssignmentExpression(
            SyntaxKind.SimpleAssignmentExpression,
            variable.WithoutTrivia().WithTrailingTrivia(SyntaxFactory.Space),
            SyntaxFactory.Token(SyntaxKind.EqualsToken).WithTrailingTrivia(SyntaxFactory.Space),
            call.WithoutLeadingTrivia());
        return statement.WithExpression(assignment.WithLeadingTrivia(call.GetLeadingTrivia()));
    }
}
