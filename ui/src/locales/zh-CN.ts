// Simplified Chinese: the source of every UI string. Its shape is the type every other locale
// must match (`Messages`), so a key missing from en.ts, or a new merchant type, edition or
// error code without a label, fails `tsc`.

import type { Edition } from '../bindings/Edition';
import type { MerchantType } from '../bindings/MerchantType';
import type { KnownErrorCode } from '../errors';

export const zhCN = {
  app: {
    title: '商户入网资料采集',
  },
  caseList: {
    heading: '案件',
    searchLabel: '搜索案件',
    searchPlaceholder: '按商户名称或案件编号搜索',
    refresh: '刷新',
    count: (total: number) => `共 ${total} 个案件`,
    filteredCount: (shown: number, total: number) => `显示 ${shown} / ${total} 个案件`,
    columns: {
      id: '案件编号',
      merchantName: '商户名称',
      merchantType: '商户类型',
      edition: '产品版本',
      visitDate: '考察日期',
      fileCount: '文件数',
    },
    unnamedMerchant: '（未填写商户名称）',
    noVisitDate: '—',
    loading: '正在读取案件…',
    empty: '暂无案件',
    emptyHint: '用命令行新建案件：',
    noMatch: (query: string) => `没有符合“${query}”的案件`,
  },
  merchantType: {
    enterprise: '企业',
    individual_business: '个体工商户',
    individual: '个人（小微）',
    public_institution: '事业单位',
  } satisfies Record<MerchantType, string>,
  edition: {
    ka: 'KA客户版',
    jinxiaoman: '金小满',
    liansuotong: '连锁通',
    shangying_edu: '商赢教培',
    shangying_community: '商赢社区',
  } satisfies Record<Edition, string>,
  errors: {
    retry: '重试',
    unknown: '出现了未预料的错误。',
    byCode: {
      file_missing: '找不到文件。',
      not_a_file: '所选路径是文件夹，不是文件。',
      file_unreadable: '文件无法读取，请检查权限。',
      file_empty: '文件是空的。',
      file_too_large: '文件过大。',
      data_folder_unwritable: '数据文件夹无法创建或写入，请检查位置和权限。',
      database_too_new: '数据由更新版本的程序写入，请先升级本程序；数据未被改动。',
      database_corrupt: '案件数据库已损坏或不是本程序的数据库；数据未被改动。',
      case_not_found: '找不到该案件。',
      invalid_input: '输入的内容不符合要求。',
      invalid_rules: '资料清单规则文件格式有误。',
      vault_corrupt: '证据文件与其哈希值不符，可能已被改动。',
      io: '读写磁盘时出错。',
      database: '案件数据库出错。',
      ipc_failed: '界面无法连接到程序本体。',
    } satisfies Record<KnownErrorCode, string>,
  },
};

/** The shape every locale has. */
export type Messages = typeof zhCN;
