//! `hub order history ID`: an order's dispute replay from the command line,
//! the same history `GET /api/v1/admin/orders/{id}/history` answers, read
//! straight from the event store.

use crate::settings::required_database_url;
use anyhow::Context;
use read_api::history::{History, Kind, Step};
use std::io::Write;
use std::process::ExitCode;

/// Prints the history of order `id`: one readable line a step, or the
/// API's JSON with `json`; only the steps of `kinds` when given.
pub async fn history(id: &str, json: bool, kinds: Option<&str>) -> anyhow::Result<ExitCode> {
    let order: uuid::Uuid = id
        .parse()
        .with_context(|| format!("{id}: not an order id (a UUID)"))?;
    let kinds = kinds.map(Kind::parse_list).transpose().map_err(|unknown| {
        anyhow::anyhow!(
            "--kind: unknown kind `{unknown}`; expected order, subscription, complaint, money"
        )
    })?;
    let pool = store::connect(&required_database_url()?, 2).await?;
    let Some(mut history) = read_api::history::load(&pool, order).await? else {
        eprintln!("no order {order} in the event store");
        return Ok(ExitCode::FAILURE);
    };
    if let Some(kinds) = kinds {
        history.retain_kinds(&kinds);
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if json {
        out.write_all(&history.to_json()?)?;
        writeln!(out)?;
    } else {
        write_lines(&mut out, &history)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn write_lines(out: &mut impl Write, history: &History) -> std::io::Result<()> {
    writeln!(out, "order {}", history.order_id)?;
    for step in &history.steps {
        writeln!(out, "{}", line(step))?;
    }
    let s = &history.state;
    writeln!(
        out,
        "now: status={} client_done={} provider_done={} frozen_by={} messages={}",
        s.status
            .and_then(|st| serde_json::to_value(st).ok())
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| "-".into()),
        s.client_done,
        s.provider_done,
        s.frozen_by.map_or_else(|| "-".into(), |c| c.to_string()),
        s.messages_count,
    )
}

/// `position  time  kind  Type:id8#seq  EventType  actor  changed`.
fn line(step: &Step) -> String {
    let actor = step
        .actor
        .map_or_else(|| "system".to_owned(), |a| format!("{}:{}", a.role, a.id));
    let changed = if step.changed.is_empty() {
        String::new()
    } else {
        format!("  changed: {}", step.changed.join(", "))
    };
    let stream = format!(
        "{}:{}#{}",
        step.aggregate_type,
        step.aggregate_id.get(..8).unwrap_or(&step.aggregate_id),
        step.sequence
    );
    format!(
        "{:>10}  {}  {:<12}  {:<28}  {:<26}  {}{}",
        step.position,
        step.at.format("%Y-%m-%d %H:%M:%S%.3f"),
        step.kind.as_str(),
        stream,
        step.event_type,
        actor,
        changed,
    )
}
