using System.Globalization;
using System.Text.RegularExpressions;
using Exporters.TestSupport;
using Exporters.Testing;

namespace Exporters.Redis.Tests;

public sealed class ScriptTests
{
    private const string HashScript = "return redis.call('HGETALL', 'stats')";

    // Spins for the milliseconds held in the key spin_ms (none when it is missing or 0), then answers.
    private const string SpinScript = """
        local ms = tonumber(redis.call('GET', 'spin_ms') or '0')
        local function now()
          local t = redis.call('TIME')
          return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        end
        local start = now()
        while now() - start < ms do end
        return {'spun', tostring(ms)}
        """;

    private readonly string _directory = Tools.TempDirectory("lua");

    [Fact]
    public async Task Reports_the_values_of_each_script_under_its_file_name()
    {
        await using var redis = await RedisServer.StartAsync();
        await redis.CliAsync("HSET", "stats", "jobs_done", "42", "ratio", "0.25");
        var hash = Script("hash.lua", HashScript);
        var fixedValues = Script("fixed.lua", "return {'jobs_done', '7', 'answer', '42'}");
        await using var harness = Scrapes.Harness(redis.Address, ("script:0", hash + "," + fixedValues));

        for (var scrape = 0; scrape < 2; scrape++)
        {
            var (parsed, text, _) = await Scrapes.ScrapeAsync(harness);
            Assert.Equal(1, parsed.Value("redis_up"));
            Assert.Equal("gauge", parsed.Families["redis_script_values"].Type);
            Assert.Equal(42, parsed.Value("redis_script_values", ("filename", hash), ("key", "jobs_done")));
            Assert.Equal(0.25, parsed.Value("redis_script_values", ("filename", hash), ("key", "ratio")));

            // Two scripts returning one key give two series, told apart by filename.
            Assert.Equal(7, parsed.Value("redis_script_values", ("filename", fixedValues), ("key", "jobs_done")));
            Assert.Equal(42, parsed.Value("redis_script_values", ("filename", fixedValues), ("key", "answer")));
            Assert.True(parsed.Value("redis_script_result", ("filename", hash)) == 1, text);
            Assert.Equal(1, parsed.Value("redis_script_result", ("filename", fixedValues)));
            Assert.Equal(0, parsed.Value("redis_exporter_script_values_truncated", ("filename", hash), ("reason", "max_keys")));
            Assert.Equal(0, parsed.Value("redis_exporter_script_values_truncated", ("filename", hash), ("reason", "not_a_number")));
        }

        // The first scrape sent each script once with EVAL (it was not cached); later scrapes send only its SHA1.
        var stats = await redis.CliAsync("INFO", "commandstats");
        Assert.Equal(2, Calls(stats, "eval"));
        Assert.Equal(4, Calls(stats, "evalsha"));

        // A server whose script cache was emptied gets the scripts again, in the same scrape.
        await redis.CliAsync("SCRIPT", "FLUSH");
        var (after, _, _) = await Scrapes.ScrapeAsync(harness);
        Assert.Equal(42, after.Value("redis_script_values", ("filename", hash), ("key", "jobs_done")));
        Assert.Equal(4, Calls(await redis.CliAsync("INFO", "commandstats"), "eval"));
    }

    [Fact]
    public async Task A_failing_script_loses_only_its_own_metrics_and_is_logged_once()
    {
        await using var redis = await RedisServer.StartAsync();
        var broken = Script("broken.lua", "return {'a' BROKEN");
        var failing = Script("failing.lua", "return redis.call('NO_SUCH_COMMAND')");
        var good = Script("good.lua", "return {'a', '1'}");
        await using var harness = Scrapes.Harness(redis.Address, ("script:0", broken), ("script:1", failing), ("script:2", good));

        for (var scrape = 0; scrape < 3; scrape++)
        {
            var (parsed, text, _) = await Scrapes.ScrapeAsync(harness);
            Assert.True(parsed.Value("redis_up") == 1, text);
            Assert.Equal(0, parsed.Value("redis_exporter_last_scrape_error"));
            Assert.Equal(0, parsed.Value("redis_script_result", ("filename", broken)));
            Assert.Equal(0, parsed.Value("redis_script_result", ("filename", failing)));
            Assert.Equal(1, parsed.Value("redis_script_result", ("filename", good)));
            Assert.Equal(1, parsed.Value("redis_script_values", ("filename", good), ("key", "a")));
            Assert.Null(parsed.Value("redis_script_values", ("filename", broken)));
        }

        // One line per failing script across three scrapes, with Redis' own message.
        var lines = harness.Logger.Lines;
        Assert.Single(lines, l => l.Contains(broken, StringComparison.Ordinal) && l.Contains("Error compiling script", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains(failing, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(good, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Replies_that_are_not_pairs_of_keys_and_numbers_are_said_so()
    {
        await using var redis = await RedisServer.StartAsync();
        var notNumber = Script("not_number.lua", "return {'a', '1', 'b', 'abc', 'c', '3'}");
        var odd = Script("odd.lua", "return {'a', '1', 'b'}");
        var empty = Script("empty.lua", "return {}");
        var text = Script("text.lua", "return 'hello'");
        var integers = Script("integers.lua", "return {'n', 5}");
        var twice = Script("twice.lua", "return {'k', '1', 'k', '2'}");
        var nested = Script("nested.lua", "return {{'a'}, '1', 'b', {'2'}, 'c', false, 'd', '4'}");
        await using var harness = Scrapes.Harness(redis.Address, ("script:0", string.Join(',', notNumber, odd, empty, text, integers, twice, nested)));
        var (parsed, output, _) = await Scrapes.ScrapeAsync(harness);
        Assert.True(parsed.Value("redis_up") == 1, output);

        // A value that is not a number fails the script, as in redis_exporter, but the numbers around it stay.
        Assert.Equal(0, parsed.Value("redis_script_result", ("filename", notNumber)));
        Assert.Equal(1, parsed.Value("redis_script_values", ("filename", notNumber), ("key", "a")));
        Assert.Equal(3, parsed.Value("redis_script_values", ("filename", notNumber), ("key", "c")));
        Assert.Null(parsed.Value("redis_script_values", ("filename", notNumber), ("key", "b")));
        Assert.Equal(1, parsed.Value("redis_exporter_script_values_truncated", ("filename", notNumber), ("reason", "not_a_number")));

        // An odd number of elements is not a map: nothing from it is reported.
        Assert.Equal(0, parsed.Value("redis_script_result", ("filename", odd)));
        Assert.Null(parsed.Value("redis_script_values", ("filename", odd)));

        Assert.Equal(2, parsed.Value("redis_script_result", ("filename", empty)));
        Assert.Equal(0, parsed.Value("redis_script_result", ("filename", text)));
        Assert.Equal(1, parsed.Value("redis_script_result", ("filename", integers)));
        Assert.Equal(5, parsed.Value("redis_script_values", ("filename", integers), ("key", "n")));

        // A key returned twice is one series holding the last value.
        Assert.Single(parsed.Families["redis_script_values"].Samples, s => s.Labels["filename"] == twice);
        Assert.Equal(2, parsed.Value("redis_script_values", ("filename", twice), ("key", "k")));

        // Nested tables and false (nil) are not keys or numbers; the one good pair stays.
        Assert.Equal(0, parsed.Value("redis_script_result", ("filename", nested)));
        Assert.Single(parsed.Families["redis_script_values"].Samples, s => s.Labels["filename"] == nested);
        Assert.Equal(4, parsed.Value("redis_script_values", ("filename", nested), ("key", "d")));

        Assert.Contains(harness.Logger.Lines, l => l.Contains(notNumber, StringComparison.Ordinal) && l.Contains("'b'", StringComparison.Ordinal));
        Assert.Contains(harness.Logger.Lines, l => l.Contains(odd, StringComparison.Ordinal) && l.Contains("odd number", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Script_values_are_capped_and_say_so()
    {
        await using var redis = await RedisServer.StartAsync();
        var many = Script("many.lua", "local r = {} for i = 1, 100 do r[#r + 1] = 'k' .. i; r[#r + 1] = tostring(i) end return r");
        await using var harness = Scrapes.Harness(redis.Address, ("script:0", many), ("max_checked_keys", "10"));
        var (parsed, _, _) = await Scrapes.ScrapeAsync(harness);
        Assert.Equal(10, parsed.Families["redis_script_values"].Samples.Count);
        Assert.Equal(10, parsed.Value("redis_script_values", ("filename", many), ("key", "k10")));
        Assert.Equal(1, parsed.Value("redis_script_result", ("filename", many)));
        Assert.Equal(1, parsed.Value("redis_exporter_script_values_truncated", ("filename", many), ("reason", "max_keys")));
        Assert.Equal(0, parsed.Value("redis_exporter_script_values_truncated", ("filename", many), ("reason", "not_a_number")));
    }

    [Fact]
    public async Task A_script_that_outlasts_the_scrape_deadline_costs_only_the_script_metrics()
    {
        // A server of its own: the spinning script keeps it busy after the scrape has given up.
        await using var redis = await RedisServer.StartAsync();
        await redis.CliAsync("SET", "spin_ms", "2500");
        var spin = Script("spin.lua", SpinScript);
        await using var harness = Scrapes.Harness(redis.Address, ("script:0", spin));

        Exposition parsed;
        string text;
        for (var scrape = 0; scrape < 2; scrape++)
        {
            // The harness fails the test if the scrape runs past its deadline.
            (parsed, text, _) = await Scrapes.ScrapeAsync(harness, TimeSpan.FromSeconds(1.5));
            Assert.True(parsed.Value("redis_up") == 1, text);
            Assert.Equal(0, parsed.Value("redis_exporter_last_scrape_error"));
            Assert.Equal(0, parsed.Value("redis_script_result", ("filename", spin)));
            Assert.Null(parsed.Value("redis_script_values", ("filename", spin)));

            // redis-cli waits for the script to end, so the next scrape finds the server free.
            Assert.Equal("PONG", await redis.CliAsync("PING"));
        }

        Assert.Single(harness.Logger.Lines, l => l.Contains(spin, StringComparison.Ordinal) && l.Contains("timed out", StringComparison.Ordinal));

        // Without the spin the next scrape works, on a new connection.
        await redis.CliAsync("SET", "spin_ms", "0");
        (parsed, text, _) = await Scrapes.ScrapeAsync(harness, TimeSpan.FromSeconds(10));
        Assert.True(parsed.Value("redis_script_result", ("filename", spin)) == 1, text);
        Assert.Equal(0, parsed.Value("redis_script_values", ("filename", spin), ("key", "spun")));
        Assert.Contains(harness.Logger.Lines, l => l.Contains(spin, StringComparison.Ordinal) && l.Contains("runs cleanly again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_probe_runs_the_scripts_on_its_target()
    {
        await using var redis = await RedisServer.StartAsync();
        var fixedValues = Script("fixed.lua", "return {'answer', '42'}");
        await using var harness = Scrapes.Harness("redis://127.0.0.1:1", ("script:0", fixedValues));
        var (parsed, _, _) = await Scrapes.ScrapeAsync(harness, target: redis.Address);
        Assert.Equal(1, parsed.Value("redis_up"));
        Assert.Equal(42, parsed.Value("redis_script_values", ("filename", fixedValues), ("key", "answer")));
    }

    [Fact]
    public void A_missing_empty_or_repeated_script_is_an_error_naming_the_key_and_the_path()
    {
        var missing = Path.Combine(_directory, "missing.lua");
        var empty = Script("empty.lua", "  \n");
        var good = Script("good.lua", "return {}");
        foreach (var (value, expected) in new[] { (missing, $"file '{missing}' does not exist"), (empty, $"file '{empty}' is empty"), (_directory, $"cannot read '{_directory}'"), ($"{good},{good}", $"'{good}' is listed twice") })
        {
            var (_, errors) = CollectorHarness.BindOptions(new RedisCollectorDefinition(), new Dictionary<string, string?> { ["script:0"] = value });
            var error = Assert.Single(errors.Errors);
            Assert.Equal("script", error.Key);
            Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Script_paths_come_from_a_list_and_from_comma_separated_entries()
    {
        var a = Script("a.lua", "return {}");
        var b = Script("b.lua", "return {}");
        var c = Script("c.lua", "return {}");
        var (options, errors) = CollectorHarness.BindOptions(new RedisCollectorDefinition(), new Dictionary<string, string?> { ["script:0"] = $"{a}, {b}", ["script:1"] = c });
        Assert.False(errors.HasErrors, string.Join("; ", errors.Errors));
        Assert.Equal([a, b, c], LuaScripts.Paths(((RedisOptions)options).Scripts));
    }

    [Fact]
    public async Task The_script_flag_and_a_yaml_list_reach_the_collector_through_the_host()
    {
        await using var redis = await RedisServer.StartAsync();
        var a = Script("a.lua", "return {'from_a', '1'}");
        var b = Script("b.lua", "return {'from_b', '2'}");

        await using (var host = await InProcessHost.StartAsync(null, [$"--redis.addr={redis.Address}", $"--script={a},{b}"]))
        {
            var parsed = Exposition.Parse(await host.ScrapeAsync());
            Assert.Equal(1, parsed.Value("redis_script_values", ("filename", a), ("key", "from_a")));
            Assert.Equal(2, parsed.Value("redis_script_values", ("filename", b), ("key", "from_b")));
        }

        var yaml = $"""
            collectors:
              redis:
                address: {redis.Address}
                script:
                  - {a}
                  - {b}
            """;
        await using (var host = await InProcessHost.StartAsync(yaml))
        {
            var parsed = Exposition.Parse(await host.ScrapeAsync());
            Assert.Equal(1, parsed.Value("redis_script_values", ("filename", a), ("key", "from_a")));
            Assert.Equal(2, parsed.Value("redis_script_values", ("filename", b), ("key", "from_b")));
        }

        var missing = Path.Combine(_directory, "nope.lua");
        var failure = await Assert.ThrowsAsync<Exporters.Hosting.ConfigurationException>(() => InProcessHost.StartAsync(null, [$"--redis.addr={redis.Address}", $"--script={missing}"]));
        Assert.Contains($"collectors.redis.script: file '{missing}' does not exist", failure.Message, StringComparison.Ordinal);
    }

    private static long Calls(string commandStats, string command)
    {
        var match = Regex.Match(commandStats, $"^cmdstat_{command}:calls=(\\d+)", RegexOptions.Multiline);
        return match.Success ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    private string Script(string name, string body)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, body);
        return path;
    }
}
