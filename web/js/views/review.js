// A year in review: minutes and plays, the top five artists and tracks, the month of most
// discoveries, and when the year's top song was first heard. It prints on its own (the print
// styles hide the rest of the app) and saves as a PNG: an SVG of the card drawn onto a canvas.

import { api } from "../api.js";
import { barList } from "../charts.js";
import { append, h, plural } from "../dom.js";
import { session } from "../session.js";
import { announce, announceError } from "../ui.js";
import { chartItem, fmtMinutes } from "./stats.js";

export default async function reviewView(view, { params, signal }) {
  const year = Number(params.year);
  const thisYear = new Date().getFullYear();
  if (!Number.isInteger(year) || year < 1900 || year > 2999) {
    append(view, h("h1", {}, "No such year"), h("p", {}, h("a", { href: `#/stats/year/${thisYear}` }, `See ${thisYear} in review`)));
    return;
  }
  const review = await api(`/me/stats/year/${year}`, { signal });
  const facts = reviewFacts(review);

  const link = h("a", { class: "button", "data-testid": "review-image-link", download: `canto-${year}.png`, hidden: true }, "Download the image");
  const saveImage = h("button", { type: "button", "data-testid": "review-image", onclick: async () => {
    saveImage.disabled = true;
    try {
      const url = await renderPNG(review, facts);
      link.href = url;
      link.hidden = false;
      link.click();
      announce("The image is ready; your browser saves it as a download.");
    } catch (error) {
      announceError(error, "Making the image");
    } finally {
      saveImage.disabled = false;
    }
  } }, "Save as image");

  const headId = "review-card-head";
  append(view,
    h("div", { class: "page-head no-print" },
      h("h1", {}, `Your ${year} in music`),
      h("div", { class: "toolbar" },
        h("a", { class: "button", href: `#/stats/year/${year - 1}`, "data-testid": "review-previous" }, `‹ ${year - 1}`),
        year < thisYear ? h("a", { class: "button", href: `#/stats/year/${year + 1}`, "data-testid": "review-next" }, `${year + 1} ›`) : null,
        h("button", { type: "button", "data-testid": "review-print", onclick: () => window.print() }, "Print"),
        saveImage)),
    h("article", { class: "review-card", "aria-labelledby": headId, "data-testid": "review" },
      h("p", { class: "kicker" }, "Canto · Year in review"),
      h("h2", { id: headId, class: "review-year" }, String(year)),
      review.plays
        ? h("div", { class: "review-big" },
          h("p", { class: "big-figure" }, h("span", { class: "big-number", "data-testid": "review-minutes" }, Math.round(review.minutes).toLocaleString()),
            h("span", {}, "minutes listened", review.minutes >= 120 ? ` (${fmtMinutes(review.minutes)})` : "")),
          h("p", { class: "big-figure" }, h("span", { class: "big-number", "data-testid": "review-plays" }, review.plays.toLocaleString()),
            h("span", {}, review.plays === 1 ? "play" : "plays")))
        : h("p", { class: "empty", "data-testid": "review-empty" }, `No plays in ${year}${year === thisYear ? " yet" : ""}.`),
      h("div", { class: "stats-columns" },
        h("section", { "aria-labelledby": "review-artists-head" }, h("h3", { id: "review-artists-head" }, "Top artists"),
          barList(review.topArtists.map((item) => chartItem(item, "artists")), { label: "Top artists", testid: "review-artists", itemTestid: "review-artist", empty: "None yet." })),
        h("section", { "aria-labelledby": "review-tracks-head" }, h("h3", { id: "review-tracks-head" }, "Top tracks"),
          barList(review.topTracks.map((item) => chartItem(item, "tracks")), { label: "Top tracks", testid: "review-tracks", itemTestid: "review-track", empty: "None yet." }))),
      facts.length ? h("ul", { class: "review-facts", "data-testid": "review-facts" }, facts.map((fact) => h("li", {}, fact))) : null),
    h("p", { class: "actions no-print" }, link, h("a", { href: `#/stats?period=${year}` }, `All the stats for ${year}`)));
}

/** The sentences under the lists: the month of discoveries, the first listen of the top song. */
function reviewFacts(review) {
  const facts = [];
  const zone = session.prefs?.timeZone;
  if (review.discoveryMonth) {
    const month = new Intl.DateTimeFormat(undefined, { month: "long", timeZone: "UTC" }).format(new Date(`${review.discoveryMonth}-01T00:00:00Z`));
    facts.push(`You discovered the most in ${month}: ${plural(review.discoveries, "track")} heard for the first time.`);
  }
  const topTrack = review.topTracks[0];
  if (topTrack && review.topTrackFirstListen) {
    let when;
    try {
      when = new Intl.DateTimeFormat(undefined, { dateStyle: "long", timeZone: zone || undefined }).format(new Date(review.topTrackFirstListen));
    } catch {
      when = new Date(review.topTrackFirstListen).toLocaleDateString();
    }
    facts.push(`You first heard your top song, “${topTrack.name}”${topTrack.artist ? ` by ${topTrack.artist}` : ""}, on ${when}.`);
  }
  return facts;
}

// MARK: - Save as image

const escapeXML = (text) => String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]);
const clip = (text, length) => (text.length > length ? text.slice(0, length - 1) + "…" : text);

/** Words into lines of at most `length` characters. */
function wrap(text, length) {
  const lines = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && (line + " " + word).length > length) {
      lines.push(line);
      line = word;
    } else {
      line = line ? line + " " + word : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** The card as an SVG (1080 × 1350), in the theme's colours (an image cannot read the page's CSS). */
export function reviewSVG(review, facts) {
  const css = getComputedStyle(document.documentElement);
  const color = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  const bg = color("--bg-elev", "#ffffff"), fg = color("--fg", "#17171c"), muted = color("--fg-muted", "#5b5b66");
  const accent = color("--accent", "#3a55d6"), track = color("--bg-hover", "#ebebf0");
  const W = 1080, H = 1350;
  const parts = [];
  const text = (x, y, size, fill, content, extra = "") =>
    parts.push(`<text x="${x}" y="${y}" font-size="${size}" fill="${fill}" ${extra}>${escapeXML(content)}</text>`);
  parts.push(`<rect width="${W}" height="${H}" fill="${bg}"/>`, `<rect width="${W}" height="16" fill="${accent}"/>`);
  text(80, 120, 28, muted, "CANTO · YEAR IN REVIEW", 'letter-spacing="3"');
  text(80, 270, 150, fg, String(review.year), 'font-weight="700"');
  text(80, 400, 84, accent, Math.round(review.minutes).toLocaleString(), 'font-weight="700"');
  text(80, 445, 30, muted, "minutes listened");
  text(580, 400, 84, accent, review.plays.toLocaleString(), 'font-weight="700"');
  text(580, 445, 30, muted, review.plays === 1 ? "play" : "plays");
  const column = (x, heading, items, label) => {
    text(x, 560, 36, fg, heading, 'font-weight="700"');
    const max = Math.max(1, ...items.map((item) => item.plays));
    items.slice(0, 5).forEach((item, i) => {
      const y = 625 + i * 74;
      text(x, y, 28, fg, `${i + 1}. ${clip(label(item), 26)}`);
      text(x + 420, y, 24, muted, String(item.plays), 'text-anchor="end"');
      parts.push(`<rect x="${x}" y="${y + 14}" width="420" height="10" rx="5" fill="${track}"/>`,
        `<rect x="${x}" y="${y + 14}" width="${Math.max(4, (420 * item.plays) / max).toFixed(1)}" height="10" rx="5" fill="${accent}"/>`);
    });
    if (!items.length) text(x, 625, 28, muted, "None yet.");
  };
  column(80, "Top artists", review.topArtists, (item) => item.name);
  column(580, "Top tracks", review.topTracks, (item) => item.name);
  let y = 1040;
  for (const fact of facts) {
    for (const line of wrap(fact, 58)) {
      text(80, y, 30, fg, line);
      y += 42;
    }
    y += 18;
  }
  text(W - 80, H - 60, 24, muted, "Made with Canto", 'text-anchor="end"');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" `
    + `font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif">${parts.join("")}</svg>`;
}

/** The card's SVG drawn onto a canvas: a data:image/png URL. */
async function renderPNG(review, facts) {
  const svg = reviewSVG(review, facts);
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = 1080;
  canvas.height = 1350;
  canvas.getContext("2d").drawImage(image, 0, 0);
  return canvas.toDataURL("image/png");
}
