using Exporters.Abstractions;
using Exporters.Abstractions.Metrics;
using Exporters.Hosting.Configuration;
using Exporters.Hosting.Logging;
using Exporters.Hosting.Scraping;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Exporters.Hosting.Tests;

/// <summary>
/// The scrape engine's rules, one instance at a time, on a fake clock: the deadline, the fetch reserve, single flight,
/// min_interval, the series cap, the serial gate and the up metric's one owner. Time moves only when a test moves it.
/// </summary>
public partial class CollectorInstanceTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));

    private CollectorInstance Create(ScriptedCollector collector, string? upName = "scripted_up", Action<ScriptedOptions>? configure = null, string name = "scripted")
    {
        var options = new ScriptedOptions();
        configure?.Invoke(options);
        var definition = new ScriptedDefinition(collector, upName);
        return new CollectorInstance(new InstanceConfiguration(name, definition, options, [], string.Empty), NullLoggerFactory.Instance, _time, new SecretRedactor());
    }

    /// <summary>Moves the fake clock in small steps until <paramref name="task"/> completes (or too long has passed on it).</summary>
    private async Task<T> AdvanceUntilAsync<T>(Task<T> task, TimeSpan step, TimeSpan limit)
    {
        var moved = TimeSpan.Zero;
        while (!task.IsCompleted && moved <= limit)
        {
            await Task.Delay(2);
            if (!task.IsCompleted)
            {
                _time.Advance(step);
                moved += step;
            }
        }

        return await task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_collector_that_ignores_cancellation_is_cut_off_at_the_deadline_and_only_its_up_metric_remains()
    {
        var collector = new ScriptedCollector { Behaviour = (_, writer) => { writer.Write(ScriptedCollector.Value, 1, "a"); return new TaskCompletionSource().Task; } };
        await using var instance = Create(collector);
        var scrape = instance.ScrapeAsync(Budget, null, CancellationToken.None);
        await collector.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var outcome = await AdvanceUntilAsync(scrape, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5));

        Assert.False(outcome.Success);
        Assert.Equal("deadline of 2s exceeded", outcome.Error);
        Assert.Equal(0, outcome.TargetUp);
        Assert.InRange(outcome.Duration, Budget, Budget + TimeSpan.FromMilliseconds(200));
        var family = Assert.Single(outcome.Batch.Families);
        Assert.Equal("scripted_up", family.Definition.Name);
    }

    [Fact]
    public async Task The_fetch_token_fires_a_fifth_of_the_budget_early_so_the_collector_can_still_report_its_target_down()
    {
        DateTimeOffset? fired = null;
        var collector = new ScriptedCollector
        {
            Behaviour = async (context, writer) =>
            {
                Assert.Equal(context.Deadline - TimeSpan.FromMilliseconds(400), context.FetchDeadline);
                try
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, context.TimeProvider, context.FetchCancellationToken);
                }
                catch (OperationCanceledException) when (context.FetchCancellationToken.IsCancellationRequested)
                {
                    fired = context.TimeProvider.GetUtcNow();
                    Assert.False(context.CancellationToken.IsCancellationRequested);
                    writer.Write(ScriptedCollector.Up, 0);
                }
            },
        };
        await using var instance = Create(collector);
        var start = _time.GetUtcNow();
        var outcome = await AdvanceUntilAsync(instance.ScrapeAsync(Budget, null, CancellationToken.None), TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(5));

        Assert.True(outcome.Success, outcome.Error);
        Assert.Equal(0, outcome.TargetUp);
        Assert.InRange(fired!.Value - start, TimeSpan.FromMilliseconds(1600), TimeSpan.FromMilliseconds(1650));
    }

    [Theory]
    [InlineData(2000, 400)]
    [InlineData(10_000, 500)]
    [InlineData(500, 100)]
    [InlineData(0, 0)]
    public void The_reserve_is_a_fifth_of_the_budget_at_most_half_a_second(int budgetMilliseconds, int reserveMilliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(reserveMilliseconds), ScrapeContext.ReserveFor(TimeSpan.FromMilliseconds(budgetMilliseconds)));

    [Fact]
    public async Task Concurrent_scrapes_share_one_call_of_the_collector()
    {
        var release = new TaskCompletionSource();
        var collector = new ScriptedCollector { Behaviour = async (_, writer) => { await release.Task; writer.Write(ScriptedCollector.Up, 1); } };
        await using var instance = Create(collector);
        var first = instance.ScrapeAsync(Budget, null, CancellationToken.None);
        await collector.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var second = instance.ScrapeAsync(Budget, null, CancellationToken.None);
        release.SetResult();

        var outcomes = await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, collector.Calls);
        Assert.Same(outcomes[0].Batch, outcomes[1].Batch);
        Assert.Equal(1, instance.ScrapesTotal);
    }

    [Fact]
    public async Task Without_single_flight_every_scrape_waits_its_turn_and_calls_the_collector()
    {
        var collector = new ScriptedCollector { Behaviour = (_, writer) => { writer.Write(ScriptedCollector.Up, 1); return Task.CompletedTask; } };
        await using var instance = Create(collector, configure: o => o.SingleFlight = false);
        await Task.WhenAll(instance.ScrapeAsync(Budget, null, CancellationToken.None), instance.ScrapeAsync(Budget, null, CancellationToken.None)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, collector.Calls);
        Assert.Equal(1, collector.MostAtOnce);
    }

    [Fact]
    public async Task Probes_of_different_targets_or_parameters_are_separate_fetches()
    {
        var release = new TaskCompletionSource();
        var collector = new ScriptedCollector { Behaviour = async (_, writer) => { await release.Task; writer.Write(ScriptedCollector.Up, 1); } };
        await using var instance = Create(collector, configure: o => o.SingleFlight = true);
        var a = instance.ScrapeAsync(Budget, "a:1", CancellationToken.None);
        var a2 = instance.ScrapeAsync(Budget, "a:1", CancellationToken.None);
        var withParameter = instance.ScrapeAsync(Budget, "a:1", CancellationToken.None, new Dictionary<string, string> { ["auth_module"] = "x" });
        release.SetResult();
        await Task.WhenAll(a, a2, withParameter).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, collector.Calls);
        Assert.Contains(collector.Contexts, c => c.ProbeParameters.TryGetValue("auth_module", out var module) && module == "x");
        Assert.All(collector.Contexts, c => Assert.True(c.IsProbe));
    }

    [Fact]
    public async Task Min_interval_answers_from_the_last_result_until_the_interval_has_passed()
    {
        var collector = new ScriptedCollector { Behaviour = (_, writer) => { writer.Write(ScriptedCollector.Up, 1); return Task.CompletedTask; } };
        await using var instance = Create(collector, configure: o => o.MinInterval = Duration.FromSeconds(30));
        var first = await instance.ScrapeAsync(Budget, null, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(29));
        var cached = await instance.ScrapeAsync(Budget, null, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(2));
        var fresh = await instance.ScrapeAsync(Budget, null, CancellationToken.None);

        Assert.False(first.FromCache);
        Assert.True(cached.FromCache);
        Assert.Same(first.Batch, cached.Batch);
        Assert.False(fresh.FromCache);
        Assert.Equal(2, collector.Calls);
        Assert.Equal(" (may be cached: scripted is scraped at most every 30s)", instance.HelpSuffix);
    }

    [Fact]
    public async Task A_failed_scrape_is_not_served_from_the_min_interval_cache()
    {
        var fail = true;
        var collector = new ScriptedCollector { Behaviour = (_, writer) => fail ? throw new InvalidOperationException("boom") : Task.CompletedTask };
        await using var instance = Create(collector, configure: o => o.MinInterval = Duration.FromSeconds(30));
        Assert.False((await instance.ScrapeAsync(Budget, null, CancellationToken.None)).Success);
        fail = false;
        var next = await instance.ScrapeAsync(Budget, null, CancellationToken.None);
        Assert.True(next.Success);
        Assert.Equal(2, collector.Calls);
    }

    [Fact]
    public async Task Series_beyond_max_series_are_dropped_and_counted()
    {
        var collector = new ScriptedCollector
        {
            Behaviour = (_, writer) =>
            {
                for (var i = 0; i < 10; i++)
                {
                    writer.Write(ScriptedCollector.Value, i, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }

                return Task.CompletedTask;
            },
        };
        await using var instance = Create(collector, configure: o => o.MaxSeries = 4);
        var outcome = await instance.ScrapeAsync(Budget, null, CancellationToken.None);
        Assert.True(outcome.Success);
        Assert.Equal(6, outcome.Dropped);
        Assert.Equal(6, instance.DroppedTotal);
        Assert.Equal(4, outcome.Batch.Families.Sum(f => f.SeriesCount));
    }

    [Fact]
    public async Task A_collector_still_running_after_its_deadline_fails_the_next_scrape_instead_of_running_twice()
    {
        var release = new TaskCompletionSource();
        var collector = new ScriptedCollector { Behaviour = (_, _) => release.Task };
        await using var instance = Create(collector, configure: o => o.SingleFlight = false);
        var first = AdvanceUntilAsync(instance.ScrapeAsync(Budget, null, CancellationToken.None), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5));
        Assert.False((await first).Success);

        var second = await AdvanceUntilAsync(instance.ScrapeAsync(Budget, null, CancellationToken.None), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5));
        Assert.False(second.Success);
        Assert.Equal("the previous scrape of this collector has not finished", second.Error);
        Assert.Equal(1, collector.Calls);

        release.SetResult();
        await Task.Delay(50);
        var third = await instance.ScrapeAsync(Budget, null, CancellationToken.None);
        Assert.True(third.Success, third.Error);
        Assert.Equal(2, collector.Calls);
    }

    [Fact]
    public async Task When_a_scrape_fails_the_host_writes_the_instances_up_metric_not_the_definitions_default()
    {
        var collector = new ScriptedCollector { Behaviour = (_, _) => throw new IOException("connection refused") };
        await using var instance = Create(collector, upName: "renamed_up");
        var outcome = await instance.ScrapeAsync(Budget, null, CancellationToken.None);

        Assert.False(outcome.Success);
        Assert.Equal("connection refused", outcome.Error);
        Assert.Equal("renamed_up", Assert.Single(outcome.Batch.Families).Definition.Name);
    }

    [Fact]
    public async Task When_the_collector_does_not_write_its_up_metric_the_host_writes_1_under_the_instances_name()
    {
        var collector = new ScriptedCollector { Behaviour = (_, writer) => { writer.Write(ScriptedCollector.Value, 5, "x"); return Task.CompletedTask; } };
        await using var instance = Create(collector, upName: "renamed_up");
        var outcome = await instance.ScrapeAsync(Budget, null, CancellationToken.None);
        Assert.Equal(1, outcome.TargetUp);
        Assert.Equal("renamed_up", Assert.Single(outcome.HostBatch!.Families).Definition.Name);
    }

    [Fact]
    public async Task A_target_reported_down_by_the_collector_is_a_successful_scrape_with_target_up_0()
    {
        var collector = new ScriptedCollector { Behaviour = (_, writer) => { writer.Write(ScriptedCollector.Up, 0); return Task.CompletedTask; } };
        await using var instance = Create(collector);
        var outcome = await instance.ScrapeAsync(Budget, null, CancellationToken.None);
        Assert.True(outcome.Success);
        Assert.Equal(0, outcome.TargetUp);
        Assert.Null(outcome.HostBatch);
    }

    public sealed partial class ScriptedOptions : CollectorOptions;

    private sealed class ScriptedDefinition(ScriptedCollector collector, string? upName) : CollectorDefinition<ScriptedOptions>
    {
        public override string Name => "scripted";

        public override string Description => "A collector whose every scrape a test scripts.";

        public override string? UpMetricName => "scripted_up";

        protected override string? GetUpMetricName(ScriptedOptions options) => upName;

        protected override ICollector Create(ScriptedOptions options, CollectorCreationContext context) => collector;
    }

    internal sealed class ScriptedCollector : ICollector
    {
        public static readonly GaugeDefinition Up = new("scripted_up", "Whether the scripted target answered.");
        public static readonly GaugeDefinition Value = new("scripted_value", "A value.", ["index"]);
        private int _calls;
        private int _running;
        private int _mostAtOnce;

        public Func<ScrapeContext, MetricWriter, Task> Behaviour { get; init; } = (_, _) => Task.CompletedTask;

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Calls => Volatile.Read(ref _calls);

        public int MostAtOnce => Volatile.Read(ref _mostAtOnce);

        public List<ScrapeContext> Contexts { get; } = [];

        public async Task CollectAsync(ScrapeContext context, MetricWriter writer)
        {
            Interlocked.Increment(ref _calls);
            var running = Interlocked.Increment(ref _running);
            InterlockedMax(ref _mostAtOnce, running);
            lock (Contexts)
            {
                Contexts.Add(context);
            }

            Entered.TrySetResult();
            try
            {
                await Behaviour(context, writer);
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }

        private static void InterlockedMax(ref int target, int value)
        {
            int current;
            while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
            {
            }
        }
    }
}
