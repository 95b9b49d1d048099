using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Exporters.Abstractions;
using Exporters.Abstractions.Metrics;
using Exporters.Redis.Protocol;
using Microsoft.Extensions.Logging;

namespace Exporters.Redis;

/// <summary>One script file, read when the instance starts.</summary>
/// <param name="FileName">The path as configured: the <c>filename</c> label, as in redis_exporter.</param>
/// <param name="Body">The script, or null when the file could not be read at creation.</param>
/// <param name="Sha1">The id Redis gives the script in its cache (lowercase hex SHA1 of the body).</param>
/// <param name="ReadError">Why the file could not be read, when <paramref name="Body"/> is null.</param>
internal sealed record LuaScript(string FileName, string? Body, string Sha1, string? ReadError);

/// <summary>
/// Opt-in Lua scripts (<c>script</c>, redis_exporter's <c>--script</c>). They run after the main round trip and the
/// key checks, all in one pipelined round trip of <c>EVALSHA</c> (with <c>EVAL</c> for scripts the server's cache
/// lacks), within what is left of the scrape's deadline. A failure loses only the script metrics of that scrape.
/// </summary>
internal sealed class LuaScripts
{
    private const string MaxKeys = "max_keys";
    private const string NotANumber = "not_a_number";

    private readonly IReadOnlyList<LuaScript> _scripts;
    private readonly RedisMetrics _metrics;
    private readonly int _maxValues;
    private readonly bool _readOnly;
    private readonly Lock _problemsLock = new();

    // The last problem of each script on the configured target, so a failing script is logged when its problem
    // changes rather than at every scrape.
    private readonly Dictionary<string, string?> _problems = new(StringComparer.Ordinal);

    private LuaScripts(IReadOnlyList<LuaScript> scripts, RedisMetrics metrics, int maxValues, bool readOnly)
    {
        _readOnly = readOnly;
        _scripts = scripts;
        _metrics = metrics;
        _maxValues = maxValues;
    }

    /// <summary>The script paths of <c>script</c>: every entry split at commas, blanks dropped.</summary>
    public static IEnumerable<string> Paths(IEnumerable<string?> entries) =>
        entries.SelectMany(e => (e ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>Reads a script file; the error names the path.</summary>
    public static bool TryRead(string path, [NotNullWhen(true)] out string? body, out string error)
    {
        body = null;
        error = string.Empty;
        try
        {
            body = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            error = $"file '{path}' does not exist";
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException or System.Security.SecurityException)
        {
            error = $"cannot read '{path}': {e.Message}";
            return false;
        }

        if (string.IsNullOrWhiteSpace(body))
        {
            error = $"file '{path}' is empty; a script returns alternating keys and values, like return {{\"key\", \"42\"}}";
            body = null;
            return false;
        }

        return true;
    }

    public static LuaScripts? Create(RedisOptions options, RedisMetrics metrics)
    {
        var scripts = new List<LuaScript>();
        foreach (var path in Paths(options.Scripts).Distinct(StringComparer.Ordinal))
        {
            // Options were validated moments ago; a file that went away since is reported at every scrape instead.
            scripts.Add(TryRead(path, out var body, out var error)
                ? new LuaScript(path, body, Sha1Hex(body), null)
                : new LuaScript(path, null, string.Empty, error));
        }

        return scripts.Count == 0 ? null : new LuaScripts(scripts, metrics, Math.Max(1, options.MaxCheckedKeys), options.LuaScriptReadOnly);
    }

    [SuppressMessage("Security", "CA5350:Do not use weak cryptographic algorithms", Justification = "Redis names cached scripts by their SHA1; nothing here is a security boundary.")]
    internal static string Sha1Hex(string body) => Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(body)));

    /// <summary>
    /// Runs every script and writes its families. Only cancellation of the scrape itself escapes; a script error, a
    /// timeout or a lost connection is reported in <c>redis_script_result</c>, and the connection is left broken
    /// when it is mid-reply.
    /// </summary>
    public async Task RunAsync(RedisConnection? connection, MetricWriter writer, ScrapeContext context, CancellationToken token)
    {
        var outcomes = new Outcome[_scripts.Count];
        var runnable = new List<int>();
        for (var i = 0; i < _scripts.Count; i++)
        {
            if (_scripts[i].Body is null)
            {
                outcomes[i] = Outcome.Failed(_scripts[i].ReadError!);
            }
            else
            {
                runnable.Add(i);
            }
        }

        if (runnable.Count > 0)
        {
            await RunScriptsAsync(connection, runnable, outcomes, context, token);
        }

        for (var i = 0; i < _scripts.Count; i++)
        {
            var script = _scripts[i];
            var outcome = outcomes[i];
            foreach (var (key, value) in outcome.Values)
            {
                writer.Write(_metrics.ScriptValues, value, script.FileName, key);
            }

            writer.Write(_metrics.ScriptResult, outcome.Result, script.FileName);
            writer.Write(_metrics.ScriptValuesTruncated, outcome.CapCut ? 1 : 0, script.FileName, MaxKeys);
            writer.Write(_metrics.ScriptValuesTruncated, outcome.NotNumbers > 0 ? 1 : 0, script.FileName, NotANumber);
            Report(script, outcome.Problem, context);
        }
    }

    private async Task RunScriptsAsync(RedisConnection? connection, List<int> runnable, Outcome[] outcomes, ScrapeContext context, CancellationToken token)
    {
        void FailAll(string problem)
        {
            foreach (var i in runnable)
            {
                outcomes[i] = Outcome.Failed(problem);
            }
        }

        if (connection is null or { IsBroken: true })
        {
            FailAll("not run: the connection was lost earlier in this scrape");
            return;
        }

        // The same margin as key checks: the self metrics still need writing after a script that does not finish.
        var budget = context.Remaining - TimeSpan.FromMilliseconds(300);
        if (budget <= TimeSpan.Zero)
        {
            FailAll("not run: no time left before the scrape deadline");
            return;
        }

        using var budgetSource = new CancellationTokenSource(budget, context.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, budgetSource.Token);
        try
        {
            // EVALSHA sends 40 bytes instead of the script and spares the server hashing it at every scrape.
            var replies = await connection.ExecuteAsync(runnable.Select(i => (IReadOnlyList<string>)[_readOnly ? "EVALSHA_RO" : "EVALSHA", _scripts[i].Sha1, "0"]).ToList(), linked.Token);
            var missing = Enumerable.Range(0, replies.Length).Where(r => IsNoScript(replies[r])).ToList();
            if (missing.Count > 0)
            {
                // Not in the server's script cache (a new or restarted server, SCRIPT FLUSH): EVAL runs the script
                // and caches it, so the next scrape's EVALSHA finds it.
                var again = await connection.ExecuteAsync(missing.Select(r => (IReadOnlyList<string>)[_readOnly ? "EVAL_RO" : "EVAL", _scripts[runnable[r]].Body!, "0"]).ToList(), linked.Token);
                for (var m = 0; m < missing.Count; m++)
                {
                    replies[missing[m]] = again[m];
                }
            }

            for (var r = 0; r < replies.Length; r++)
            {
                outcomes[runnable[r]] = Evaluate(replies[r]);
            }
        }
        catch (OperationCanceledException) when (!context.CancellationToken.IsCancellationRequested)
        {
            // Redis runs a script to its end whatever the client does; only busy-reply-threshold (lua-time-limit)
            // and SCRIPT KILL stop it. The scrape stops waiting and the connection, mid-reply, is dropped.
            // The message stays the same from scrape to scrape, so a script that is always too slow is logged once.
            FailAll("timed out: no reply before the scrape deadline (the script may still be running on the server)");
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or RespProtocolException or ObjectDisposedException)
        {
            FailAll("no reply: " + e.Message);
        }
    }

    private static bool IsNoScript(RespValue reply) => reply.IsError && reply.Text is { } text && text.StartsWith("NOSCRIPT", StringComparison.Ordinal);

    private Outcome Evaluate(RespValue reply)
    {
        if (reply.IsError)
        {
            return Outcome.Failed(reply.Text ?? "error reply");
        }

        if (reply.Kind is not (RespKind.Array or RespKind.Map))
        {
            return Outcome.Failed($"returned {Describe(reply)}, not a table of alternating keys and values");
        }

        if (reply.Kind == RespKind.Array && reply.Items.Length % 2 != 0)
        {
            return Outcome.Failed($"returned {reply.Items.Length} elements, an odd number; keys and values must alternate");
        }

        if (reply.Items.Length == 0)
        {
            return new Outcome(2, [], false, 0, null);
        }

        // Keyed by label value: a key returned twice keeps its last value, as redis_exporter's map does, so no
        // series is written twice.
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        var order = new List<string>();
        var capCut = false;
        var notNumbers = 0;
        string? firstBad = null;
        for (var i = 0; i + 1 < reply.Items.Length; i += 2)
        {
            var key = reply.Items[i].AsString();
            var valueItem = reply.Items[i + 1];
            if (key is null || valueItem.IsError || !valueItem.TryGetNumber(out var value))
            {
                notNumbers++;
                firstBad ??= key is null ? $"a key at position {i + 1} is {Describe(reply.Items[i])}" : $"the value of '{key}' is not a number";
                continue;
            }

            if (!values.ContainsKey(key))
            {
                if (order.Count >= _maxValues)
                {
                    capCut = true;
                    continue;
                }

                order.Add(key);
            }

            values[key] = value;
        }

        var pairs = order.Select(k => (k, values[k])).ToList();
        string? problem = null;
        if (notNumbers > 0)
        {
            problem = $"{notNumbers} of {reply.Items.Length / 2} pairs left out: {firstBad}";
        }

        if (capCut)
        {
            problem = (problem is null ? string.Empty : problem + "; ") + $"more than max_checked_keys ({_maxValues}) keys; the rest are left out";
        }

        // A value that is not a number fails the script, as in redis_exporter, but the pairs that are numbers are kept.
        return new Outcome(notNumbers > 0 ? 0 : 1, pairs, capCut, notNumbers, problem);
    }

    private static string Describe(RespValue value) => value.Kind switch
    {
        RespKind.Null => "nil",
        RespKind.Array or RespKind.Map or RespKind.Set => "a nested table",
        RespKind.Integer or RespKind.Double => "a number",
        RespKind.Boolean => "a boolean",
        RespKind.SimpleString => "a status reply",
        _ => "a string",
    };

    private void Report(LuaScript script, string? problem, ScrapeContext context)
    {
        if (context.IsProbe)
        {
            // Probes reach many servers; the change-only log state belongs to the configured target.
            if (problem is not null)
            {
                context.Logger.LogDebug("redis script {Script} on {Target}: {Problem}", script.FileName, Secrets.RedactTarget(context.Target), problem);
            }

            return;
        }

        lock (_problemsLock)
        {
            var known = _problems.TryGetValue(script.FileName, out var last);
            if (known && last == problem)
            {
                return;
            }

            _problems[script.FileName] = problem;
            if (problem is not null)
            {
                context.Logger.LogWarning("redis script {Script}: {Problem}", script.FileName, problem);
            }
            else if (known)
            {
                context.Logger.LogInformation("redis script {Script} runs cleanly again", script.FileName);
            }
        }
    }

    /// <summary>What one script gave in one scrape.</summary>
    private sealed record Outcome(int Result, IReadOnlyList<(string Key, double Value)> Values, bool CapCut, int NotNumbers, string? Problem)
    {
        public static Outcome Failed(string problem) => new(0, [], false, 0, problem);
    }
}
