// First-run setup: the one-time token travels in the URL fragment, never to the server's logs.
const form = document.getElementById("setup");
const result = document.getElementById("result");
const token = location.hash.slice(1);

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = Object.fromEntries(new FormData(form));
  const response = await fetch("/api/v1/auth/setup", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token, ...data }),
  });
  const body = await response.json();
  if (response.ok) {
    form.hidden = true;
    result.textContent = `Admin ${body.user.username} created. Your Subsonic app password (shown once): ${body.appPassword} `;
    const signIn = document.createElement("a");
    signIn.href = "/";
    signIn.textContent = "Sign in";
    result.append(signIn);
  } else {
    result.textContent = body.error?.message ?? "Setup failed.";
  }
});
