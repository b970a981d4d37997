// English, shown second, under or after the Chinese. Typed as `Messages`: a missing or extra
// key fails `tsc`.

import type { Messages } from './zh-CN';

export const en: Messages = {
  app: {
    title: 'Merchant Intake',
  },
  caseList: {
    heading: 'Cases',
    searchLabel: 'Search cases',
    searchPlaceholder: 'Search name or case ID',
    refresh: 'Refresh',
    count: (total) => `${total} ${total === 1 ? 'case' : 'cases'}`,
    filteredCount: (shown, total) => `${shown} of ${total} cases`,
    columns: {
      id: 'Case ID',
      merchantName: 'Merchant name',
      merchantType: 'Merchant type',
      edition: 'Edition',
      visitDate: 'Visit date',
      fileCount: 'Files',
    },
    unnamedMerchant: '(no merchant name)',
    noVisitDate: '—',
    loading: 'Loading cases…',
    empty: 'No cases yet',
    emptyHint: 'Open one from the command line:',
    noMatch: (query) => `No case matches “${query}”`,
  },
  merchantType: {
    enterprise: 'Enterprise',
    individual_business: 'Individual business',
    individual: 'Individual (micro)',
    public_institution: 'Public institution',
  },
  edition: {
    ka: 'KA edition',
    jinxiaoman: 'Jinxiaoman',
    liansuotong: 'Liansuotong (chains)',
    shangying_edu: 'Shangying Education',
    shangying_community: 'Shangying Community',
  },
  errors: {
    retry: 'Retry',
    unknown: 'Something unexpected went wrong.',
    byCode: {
      file_missing: 'The file cannot be found.',
      not_a_file: 'The path is a folder, not a file.',
      file_unreadable: 'The file cannot be read; check its permissions.',
      file_empty: 'The file is empty.',
      file_too_large: 'The file is too large.',
      data_folder_unwritable: 'The data folder cannot be created or written; check where it is and its permissions.',
      database_too_new: 'The data was written by a newer version of this program; update it first. Nothing was changed.',
      database_corrupt: 'The case database is damaged or not ours. Nothing was changed.',
      case_not_found: 'There is no such case.',
      invalid_input: 'The input is not acceptable.',
      invalid_rules: 'The checklist rule file is malformed.',
      vault_corrupt: 'An evidence file no longer matches its hash; it may have been altered.',
      io: 'Reading or writing the disk failed.',
      database: 'The case database failed.',
      ipc_failed: 'The window cannot reach the program behind it.',
    },
  },
};
