using Exporters.TestSupport;

namespace Exporters.Redis.Tests;

public sealed class KeyCheckTests
{
    [Fact]
    public async Task Reports_checked_keys_counts_and_streams()
    {
        await using var redis = await RedisServer.StartAsync();
        await redis.CliAsync("SET", "user_count", "42");
        await redis.CliAsync("SET", "user_name", "alice");
        await redis.CliAsync("RPUSH", "queue", "a", "b", "c");
        await redis.CliAsync("-n", "3", "SADD", "tags", "x", "y");
        await redis.CliAsync("XADD", "events", "*", "f", "1");
        await redis.CliAsync("XADD", "events", "*", "f", "2");
        await redis.CliAsync("XGROUP", "CREATE", "events", "workers", "0");
        await redis.CliAsync("XREADGROUP", "GROUP", "workers", "w1", "COUNT", "1", "STREAMS", "events", ">");
        await using var harness = Scrapes.Harness(redis.Address,
            ("check_keys", "user_*,db3=ta*"),
            ("check_single_keys", "queue,missing_key"),
            ("count_keys", "user_*"),
            ("check_streams", "ev*"));
        var (parsed, text, _) = await Scrapes.ScrapeAsync(harness);
        Assert.Equal(1, parsed.Value("redis_up"));
        Assert.True(parsed.Value("redis_key_size", ("db", "db0"), ("key", "user_count")) == 2, text);
        Assert.Equal(42, parsed.Value("redis_key_value", ("db", "db0"), ("key", "user_count")));
        Assert.Equal(5, parsed.Value("redis_key_size", ("db", "db0"), ("key", "user_name")));
        Assert.Null(parsed.Value("redis_key_value", ("db", "db0"), ("key", "user_name")));
        Assert.Equal(3, parsed.Value("redis_key_size", ("db", "db0"), ("key", "queue")));
        Assert.Equal(2, parsed.Value("redis_key_size", ("db", "db3"), ("key", "tags")));
        Assert.Null(parsed.Value("redis_key_size", ("key", "missing_key")));
        Assert.Equal(2, parsed.Value("redis_keys_count", ("db", "db0"), ("key", "user_*")));
        Assert.Equal(2, parsed.Value("redis_stream_length", ("db", "db0"), ("stream", "events")));
        Assert.Equal(1, parsed.Value("redis_stream_groups", ("db", "db0"), ("stream", "events")));
        Assert.Equal(1, parsed.Value("redis_stream_group_messages_pending", ("db", "db0"), ("stream", "events"), ("group", "workers")));
        Assert.Equal(1, parsed.Value("redis_stream_group_consumer_messages_pending", ("db", "db0"), ("stream", "events"), ("group", "workers"), ("consumer", "w1")));
        Assert.Equal(0, parsed.Value("redis_exporter_key_checks_truncated", ("reason", "max_keys")));
        Assert.Equal(0, parsed.Value("redis_exporter_key_checks_truncated", ("reason", "time_budget")));

        // The next scrape still works on the same connection (database 0 selected again).
        (parsed, _, _) = await Scrapes.ScrapeAsync(harness);
        Assert.Equal(1, parsed.Value("redis_up"));
        Assert.Equal(42, parsed.Value("redis_key_value", ("db", "db0"), ("key", "user_count")));
    }

    [Fact]
    public async Task Key_checks_are_capped_and_say_so()
    {
        await using var redis = await RedisServer.StartAsync("--enable-debug-command", "yes");
        await redis.CliAsync("DEBUG", "POPULATE", "500", "k");
        await using var harness = Scrapes.Harness(redis.Address, ("check_keys", "k:*"), ("max_checked_keys", "50"), ("check_keys_batch_size", "10"));
        var (parsed, _, _) = await Scrapes.ScrapeAsync(harness);
        Assert.Equal(1, parsed.Value("redis_up"));
        Assert.Equal(50, parsed.Families["redis_key_size"].Samples.Count);
        Assert.Equal(1, parsed.Value("redis_exporter_key_checks_truncated", ("reason", "max_keys")));
    }

    [Fact]
    public async Task Key_checks_stop_at_their_time_budget_without_failing_the_scrape()
    {
        await using var redis = await RedisServer.StartAsync("--enable-debug-command", "yes");
        await redis.CliAsync("DEBUG", "POPULATE", "20000", "k");
        await using var harness = Scrapes.Harness(redis.Address, ("count_keys", "k:*"), ("check_keys_batch_size", "1"), ("key_checks_budget", "200ms"));
        var (parsed, _, _) = await Scrapes.ScrapeAsync(harness, TimeSpan.FromSeconds(5));
        Assert.Equal(1, parsed.Value("redis_up"));
        Assert.Equal(1, parsed.Value("redis_exporter_key_checks_truncated", ("reason", "time_budget")));
        Assert.True(parsed.Value("redis_exporter_key_checks_scanned_keys") < 20000);
        Assert.Equal(1, (await Scrapes.ScrapeAsync(harness, TimeSpan.FromSeconds(5))).Parsed.Value("redis_up"));
    }

    [Fact]
    public async Task A_failing_key_check_keeps_the_scrape_and_says_so()
    {
        await using var redis = await RedisServer.StartAsync("--databases", "2");
        await using var harness = Scrapes.Harness(redis.Address, ("check_single_keys", "db5=nothing"));
        var (parsed, _, _) = await Scrapes.ScrapeAsync(harness);
        Assert.Equal(1, parsed.Value("redis_up"));
        Assert.Equal(1, parsed.Value("redis_exporter_key_checks_truncated", ("reason", "error")));
        Assert.Contains(harness.Logger.Lines, l => l.Contains("SELECT 5 refused", StringComparison.Ordinal));
    }
}
