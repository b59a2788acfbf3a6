// Who is signed in, their preferences, and the theme.

export const session = {
  me: null, // User
  prefs: null, // preferences object from /me/preferences
  get isAdmin() {
    return this.me?.role === "admin";
  },
};

const THEME_KEY = "canto.theme";

/** theme "auto" follows prefers-color-scheme; "light"/"dark" set data-theme on <html>. */
export function applyTheme(theme) {
  const root = document.documentElement;
  if (theme === "light" || theme === "dark") root.dataset.theme = theme;
  else delete root.dataset.theme;
  try {
    localStorage.setItem(THEME_KEY, theme || "auto");
  } catch {
    // storage disabled: the theme still applies for this page
  }
}

export function applyStoredTheme() {
  try {
    applyTheme(localStorage.getItem(THEME_KEY) ?? "auto");
  } catch {
    applyTheme("auto");
  }
}
