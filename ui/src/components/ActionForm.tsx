import type { ComponentPropsWithoutRef } from 'react';

/**
 * A form whose submit (a button, or Enter in a field) runs `onSubmit` in place: the browser's
 * own submit would reload the page and lose the app's state, so every form of the app goes
 * through here. Other props go to the `<form>`.
 */
export function ActionForm({
  onSubmit,
  ...form
}: Omit<ComponentPropsWithoutRef<'form'>, 'onSubmit'> & { onSubmit: () => unknown }) {
  return (
    <form
      {...form}
      onSubmit={(event) => {
        event.preventDefault();
        void onSubmit();
      }}
    />
  );
}
