// The app icon (assets/icons/make-icons.sh) drawn inline: no image file to load.
export function Logo() {
  return (
    <svg className="logo" viewBox="0 0 1024 1024" aria-hidden="true" focusable="false">
      <defs>
        <linearGradient id="logo-bg" x1="0" y1="0" x2="0" y2="1">
          <stop offset="0" stopColor="#2563eb" />
          <stop offset="1" stopColor="#1e3a8a" />
        </linearGradient>
      </defs>
      <rect x="40" y="40" width="944" height="944" rx="200" fill="url(#logo-bg)" />
      <rect x="272" y="212" width="480" height="640" rx="48" fill="#fff" />
      <rect x="392" y="168" width="240" height="108" rx="36" fill="#93c5fd" />
      <rect x="352" y="352" width="320" height="32" rx="16" fill="#cbd5e1" />
      <path
        d="M372 596 L480 700 L664 488"
        fill="none"
        stroke="#16a34a"
        strokeWidth="64"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}
